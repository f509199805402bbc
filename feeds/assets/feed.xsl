<?xml version="1.0" encoding="utf-8"?>
<!-- Renders an Atom or RSS 2.0 feed of enbekshi-feeds as a readable page when opened in a browser.
     Every piece of article text goes through xsl:value-of, so it is shown as text, never as markup. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:fh="http://purl.org/syndication/history/1.0"
    exclude-result-prefixes="atom fh">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html>
      <xsl:attribute name="lang">
        <xsl:choose>
          <xsl:when test="atom:feed/@xml:lang"><xsl:value-of select="atom:feed/@xml:lang"/></xsl:when>
          <xsl:when test="rss/channel/language"><xsl:value-of select="rss/channel/language"/></xsl:when>
          <xsl:otherwise>en</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:feed/atom:title | rss/channel/title"/></title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: 1rem; color: #1b1b1b; background: #fff; }
          header { border-bottom: 2px solid #0b5394; margin-bottom: 1rem; }
          .subscribe { background: #eef4fb; border: 1px solid #b7cde6; padding: .75rem; border-radius: .25rem; }
          .subscribe code { word-break: break-all; }
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

  <xsl:template match="atom:feed">
    <header>
      <h1><xsl:value-of select="atom:title"/></h1>
      <p><xsl:value-of select="atom:subtitle"/></p>
    </header>
    <p class="subscribe">
      <xsl:choose>
        <xsl:when test="fh:archive">This page is an archive of older entries of a feed. To subscribe, copy the feed's address into a feed reader: <code><xsl:value-of select="atom:link[@rel='current']/@href"/></code></xsl:when>
        <xsl:otherwise>This is a web feed. To subscribe, copy its address into a feed reader: <code><xsl:value-of select="atom:link[@rel='self']/@href"/></code></xsl:otherwise>
      </xsl:choose>
    </p>
    <nav>
      <xsl:if test="atom:link[@rel='next-archive']"><a href="{atom:link[@rel='next-archive']/@href}">Newer entries</a></xsl:if>
      <xsl:if test="atom:link[@rel='prev-archive']"><a href="{atom:link[@rel='prev-archive']/@href}">Older entries</a></xsl:if>
    </nav>
    <main>
      <xsl:for-each select="atom:entry">
        <article>
          <xsl:if test="@xml:lang"><xsl:attribute name="lang"><xsl:value-of select="@xml:lang"/></xsl:attribute></xsl:if>
          <h2>
            <xsl:choose>
              <xsl:when test="atom:link[@rel='alternate']"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></xsl:when>
              <xsl:otherwise><xsl:value-of select="atom:title"/></xsl:otherwise>
            </xsl:choose>
          </h2>
          <p class="meta"><time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
            <xsl:for-each select="atom:category"> · <xsl:value-of select="@label"/></xsl:for-each></p>
          <p><xsl:value-of select="atom:summary"/></p>
          <xsl:if test="atom:link[@rel='alternate']"><p><a href="{atom:link[@rel='alternate']/@href}">Source on gov.kz</a></p></xsl:if>
        </article>
      </xsl:for-each>
    </main>
  </xsl:template>

  <xsl:template match="channel">
    <header>
      <h1><xsl:value-of select="title"/></h1>
      <p><xsl:value-of select="description"/></p>
    </header>
    <p class="subscribe">This is a web feed. To subscribe, copy its address into a feed reader: <code><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
    <main>
      <xsl:for-each select="item">
        <article>
          <h2>
            <xsl:choose>
              <xsl:when test="link"><a href="{link}"><xsl:value-of select="title"/></a></xsl:when>
              <xsl:otherwise><xsl:value-of select="title"/></xsl:otherwise>
            </xsl:choose>
          </h2>
          <p class="meta"><time><xsl:value-of select="pubDate"/></time>
            <xsl:for-each select="category"> · <xsl:value-of select="."/></xsl:for-each></p>
          <p><xsl:value-of select="description"/></p>
          <xsl:if test="link"><p><a href="{link}">Source on gov.kz</a></p></xsl:if>
        </article>
      </xsl:for-each>
    </main>
  </xsl:template>
</xsl:stylesheet>
