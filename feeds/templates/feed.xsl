<?xml version="1.0" encoding="utf-8"?>
<!-- Renders an Atom or RSS 2.0 feed of enbekshi-feeds as a readable page when opened in a browser,
     in the feed's language, or for a feed of many languages in the language most of its entries are in
     (English on a tie). A Jinja2 template: `pages.stylesheet`
     fills in the interface's words, month names and date patterns for each language. Every piece of article text
     goes through xsl:value-of, so it is shown as text, never as markup; an RSS description (escaped
     HTML) is unescaped to its text first. Dates are shown alone: the dumps give no time of day. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:fh="http://purl.org/syndication/history/1.0"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    exclude-result-prefixes="atom fh dc">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <!-- The feed's own language, if it has one; a feed of many languages is titled in English (the
       catalogue's choice), and its page speaks the language most of its entries are in. -->
  <xsl:variable name="own" select="string(atom:feed/@xml:lang | rss/channel/language)"/>
  <xsl:variable name="named">
    <xsl:choose>
      <xsl:when test="$own"><xsl:value-of select="$own"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="lang">
    <xsl:choose>
      <xsl:when test="$own"><xsl:value-of select="$own"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$most"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="entries" select="atom:feed/atom:entry | rss/channel/item"/>
{% for language in languages %}
  <xsl:variable name="n-{{ language }}" select="count($entries[@xml:lang = '{{ language }}' or dc:language = '{{ language }}'])"/>
{% endfor %}
  <xsl:variable name="most">
    <xsl:choose>
{% for language in others %}
      <xsl:when test="{% for other in languages if other != language %}$n-{{ language }} &gt; $n-{{ other }}{% if not loop.last %} and {% endif %}{% endfor %}">{{ language }}</xsl:when>
{% endfor %}
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:variable name="home">
    <xsl:choose>
{% for language in others %}
      <xsl:when test="$lang = '{{ language }}'">{{ home[language] }}</xsl:when>
{% endfor %}
      <xsl:otherwise>{{ home["en"] }}</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template name="word">
    <xsl:param name="key"/>
    <xsl:choose>
{% for key in keys %}
{% for language in others %}
      <xsl:when test="$key = '{{ key }}' and $lang = '{{ language }}'">{{ words[language](key) }}</xsl:when>
{% endfor %}
      <xsl:when test="$key = '{{ key }}'">{{ words["en"](key) }}</xsl:when>
{% endfor %}
    </xsl:choose>
  </xsl:template>

  <xsl:template name="date">
    <xsl:param name="year"/>
    <xsl:param name="month"/>
    <xsl:param name="day"/>
    <xsl:variable name="name">
      <xsl:choose>
{% for language in others %}
{% for name in months[language] %}
        <xsl:when test="$lang = '{{ language }}' and $month = {{ loop.index }}">{{ name }}</xsl:when>
{% endfor %}
{% endfor %}
{% for name in months["en"] %}
        <xsl:when test="$month = {{ loop.index }}">{{ name }}</xsl:when>
{% endfor %}
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
{% for language in others %}
      <xsl:when test="$lang = '{{ language }}'"><xsl:value-of select="{{ patterns[language] }}"/></xsl:when>
{% endfor %}
      <xsl:otherwise><xsl:value-of select="{{ patterns["en"] }}"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/">
    <html lang="{$lang}">
      <head>
        <!-- No <meta charset>: the html output method writes its own content-type meta. -->
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:feed/atom:title | rss/channel/title"/></title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: 1rem; color: #1b1b1b; background: #fff; }
          header { border-bottom: 2px solid #0b5394; margin-bottom: 1rem; }
          .subscribe { background: #eef4fb; border: 1px solid #b7cde6; padding: .75rem; border-radius: .25rem; }
          .subscribe input { box-sizing: border-box; width: 100%; margin-top: .5rem; padding: .3rem; font: .9rem ui-monospace, monospace; }
          nav { margin: .75rem 0; }
          article { border-bottom: 1px solid #ddd; padding: .5rem 0 1rem; }
          article h2 { font-size: 1.15rem; margin: .5rem 0 .25rem; }
          time, .meta { color: #555; font-size: .9rem; }
          nav a { margin-right: 1rem; }
          a { color: #0b5394; }
        </style>
      </head>
      <body>
        <xsl:apply-templates select="atom:feed | rss/channel"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template name="subscribe">
    <xsl:param name="archive"/>
    <xsl:param name="current"/>
    <xsl:param name="self"/>
    <p class="subscribe">
      <xsl:choose>
        <xsl:when test="$archive">
          <label for="address"><xsl:call-template name="word"><xsl:with-param name="key" select="'feed_archive'"/></xsl:call-template></label>
          <input id="address" type="text" readonly="readonly" value="{$current}"/>
        </xsl:when>
        <xsl:otherwise>
          <label for="address"><xsl:call-template name="word"><xsl:with-param name="key" select="'feed_subscribe'"/></xsl:call-template></label>
          <input id="address" type="text" readonly="readonly" value="{$self}"/>
        </xsl:otherwise>
      </xsl:choose>
    </p>
    <xsl:variable name="address" select="$current | $self[not($current)]"/>
    <xsl:variable name="suffix">
      <xsl:choose>
        <xsl:when test="substring($address, string-length($address) - 4) = '.atom'">.atom</xsl:when>
        <xsl:when test="substring($address, string-length($address) - 3) = '.rss'">.rss</xsl:when>
        <xsl:otherwise>.json</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="stem" select="substring($address, 1, string-length($address) - string-length($suffix))"/>
    <nav class="formats">
      <a href="{$home}"><xsl:call-template name="word"><xsl:with-param name="key" select="'home'"/></xsl:call-template></a>
      <xsl:text> · </xsl:text>
      <xsl:call-template name="word"><xsl:with-param name="key" select="'formats'"/></xsl:call-template>:
      <xsl:if test="$suffix != '.atom'"><a href="{$stem}.atom" type="application/atom+xml">Atom</a><xsl:text> </xsl:text></xsl:if>
      <xsl:if test="$suffix != '.rss'"><a href="{$stem}.rss" type="application/rss+xml">RSS</a><xsl:text> </xsl:text></xsl:if>
      <xsl:if test="$suffix != '.json'"><a href="{$stem}.json" type="application/feed+json">JSON Feed</a></xsl:if>
    </nav>
    <xsl:if test="atom:link[@rel='next-archive' or @rel='prev-archive']">
    <nav class="archive">
      <xsl:if test="atom:link[@rel='next-archive']">
        <a href="{atom:link[@rel='next-archive']/@href}"><xsl:call-template name="word"><xsl:with-param name="key" select="'feed_newer'"/></xsl:call-template></a>
      </xsl:if>
      <xsl:if test="atom:link[@rel='prev-archive']">
        <a href="{atom:link[@rel='prev-archive']/@href}"><xsl:call-template name="word"><xsl:with-param name="key" select="'feed_older'"/></xsl:call-template></a>
      </xsl:if>
    </nav>
    </xsl:if>
  </xsl:template>

  <xsl:template match="atom:feed">
    <header>
      <h1 dir="auto" lang="{$named}"><xsl:value-of select="atom:title"/></h1>
      <p dir="auto" lang="{$named}"><xsl:value-of select="atom:subtitle"/></p>
    </header>
    <xsl:call-template name="subscribe">
      <xsl:with-param name="archive" select="boolean(fh:archive)"/>
      <xsl:with-param name="current" select="atom:link[@rel='current']/@href"/>
      <xsl:with-param name="self" select="atom:link[@rel='self']/@href"/>
    </xsl:call-template>
    <main>
      <xsl:for-each select="atom:entry">
        <article>
          <xsl:if test="@xml:lang"><xsl:attribute name="lang"><xsl:value-of select="@xml:lang"/></xsl:attribute></xsl:if>
          <h2 dir="auto"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
          <p class="meta">
            <time datetime="{substring(atom:published, 1, 10)}">
              <xsl:call-template name="date">
                <xsl:with-param name="year" select="substring(atom:published, 1, 4)"/>
                <xsl:with-param name="month" select="number(substring(atom:published, 6, 2))"/>
                <xsl:with-param name="day" select="number(substring(atom:published, 9, 2))"/>
              </xsl:call-template>
            </time>
            <xsl:for-each select="atom:author/atom:name"> · <bdi><xsl:value-of select="."/></bdi></xsl:for-each>
            <xsl:for-each select="atom:category"> · <bdi><xsl:value-of select="@label"/></bdi></xsl:for-each>
          </p>
          <p dir="auto"><xsl:value-of select="atom:summary"/></p>
          <xsl:if test="atom:link[@rel='related']">
            <p>
              <a href="{atom:link[@rel='related']/@href}"><xsl:call-template name="word"><xsl:with-param name="key" select="'feed_full_text'"/></xsl:call-template></a>
              · <a href="{atom:link[@rel='alternate']/@href}"><xsl:call-template name="word"><xsl:with-param name="key" select="'article_source'"/></xsl:call-template></a>
            </p>
          </xsl:if>
        </article>
      </xsl:for-each>
    </main>
  </xsl:template>

  <xsl:template match="channel">
    <header>
      <h1 dir="auto" lang="{$named}"><xsl:value-of select="title"/></h1>
      <p dir="auto" lang="{$named}"><xsl:value-of select="description"/></p>
    </header>
    <xsl:call-template name="subscribe">
      <xsl:with-param name="archive" select="boolean(fh:archive)"/>
      <xsl:with-param name="current" select="atom:link[@rel='current']/@href"/>
      <xsl:with-param name="self" select="atom:link[@rel='self']/@href"/>
    </xsl:call-template>
    <main>
      <xsl:for-each select="item">
        <xsl:variable name="month" select="(string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', substring(pubDate, 9, 3))) div 3) + 1"/>
        <article>
          <xsl:if test="dc:language"><xsl:attribute name="lang"><xsl:value-of select="dc:language"/></xsl:attribute></xsl:if>
          <h2 dir="auto"><a href="{link}"><xsl:value-of select="title"/></a></h2>
          <p class="meta">
            <time datetime="{concat(substring(pubDate, 13, 4), '-', format-number($month, '00'), '-', substring(pubDate, 6, 2))}">
              <xsl:call-template name="date">
                <xsl:with-param name="year" select="substring(pubDate, 13, 4)"/>
                <xsl:with-param name="month" select="$month"/>
                <xsl:with-param name="day" select="number(substring(pubDate, 6, 2))"/>
              </xsl:call-template>
            </time>
            <xsl:for-each select="dc:creator"> · <bdi><xsl:value-of select="."/></bdi></xsl:for-each>
            <xsl:for-each select="category"> · <bdi><xsl:value-of select="."/></bdi></xsl:for-each>
          </p>
          <p><xsl:call-template name="text-of-html"><xsl:with-param name="html" select="description"/></xsl:call-template></p>
          <xsl:if test="atom:link[@rel='related']">
            <p>
              <a href="{atom:link[@rel='related']/@href}"><xsl:call-template name="word"><xsl:with-param name="key" select="'feed_full_text'"/></xsl:call-template></a>
              · <a href="{link}"><xsl:call-template name="word"><xsl:with-param name="key" select="'article_source'"/></xsl:call-template></a>
            </p>
          </xsl:if>
        </article>
      </xsl:for-each>
    </main>
  </xsl:template>

  <!-- The text of escaped HTML that holds no tags (an RSS description as this program writes it). -->
  <xsl:template name="text-of-html">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&amp;')">
        <xsl:value-of select="substring-before($html, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($html, '&amp;')"/>
        <xsl:choose>
          <xsl:when test="starts-with($rest, 'lt;')">
            <xsl:text>&lt;</xsl:text>
            <xsl:call-template name="text-of-html"><xsl:with-param name="html" select="substring($rest, 4)"/></xsl:call-template>
          </xsl:when>
          <xsl:when test="starts-with($rest, 'gt;')">
            <xsl:text>&gt;</xsl:text>
            <xsl:call-template name="text-of-html"><xsl:with-param name="html" select="substring($rest, 4)"/></xsl:call-template>
          </xsl:when>
          <xsl:when test="starts-with($rest, 'amp;')">
            <xsl:text>&amp;</xsl:text>
            <xsl:call-template name="text-of-html"><xsl:with-param name="html" select="substring($rest, 5)"/></xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:text>&amp;</xsl:text>
            <xsl:call-template name="text-of-html"><xsl:with-param name="html" select="$rest"/></xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$html"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
