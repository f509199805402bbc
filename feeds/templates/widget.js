/* enbekshi-feeds headline widget: no dependencies, no globals beyond one function, text only.
 *
 *   <div data-feed="https://feeds.example.org/lang/en.json" data-limit="5"></div>
 *   <script src="https://feeds.example.org/assets/widget.js" defer></script>
 *
 * Every element with data-feed gets a list of the JSON Feed's latest headlines, each linking to
 * its gov.kz source. Article text is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  function safeUrl(value) {
    if (!value) {
      return null;
    }
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function boxLanguage(container) {
    return ((container.closest("[lang]") || document.documentElement).lang || "en").slice(0, 2);
  }

  // Month names and date patterns of each language (the program's wording; browsers' Intl lacks
  // Kazakh's), filled in when the site is published.
  var DATES = {{ dates }};

  // The day as published (Kazakhstan's date, the feed's own), in words of the headline's language.
  function humanDate(day, language) {
    var dates = DATES[language] || DATES.en;
    return dates.pattern.replace("{day}", String(+day[3])).replace("{month}", dates.months[+day[2] - 1])
      .replace("{year}", day[1]);
  }

  function render(container, feed) {
    var limit = parseInt(container.getAttribute("data-limit") || "5", 10);
    var list = document.createElement("ul");
    list.className = "enbekshi-feed";
    (feed.items || []).slice(0, limit > 0 ? limit : 5).forEach(function (item) {
      var entry = document.createElement("li");
      var href = safeUrl(item.url || item.external_url || "");
      var title = document.createElement(href ? "a" : "span");
      title.textContent = item.title || item.summary || "";
      title.dir = "auto";  // isolated: a right-to-left override in a title cannot reorder the date beside it
      if (href) {
        title.href = href;
        title.rel = "noopener";
        title.target = "_blank";
      }
      if (item.language) {
        entry.lang = item.language;
      }
      entry.appendChild(title);
      var day = /^(\d{4})-(\d{2})-(\d{2})/.exec(item.date_published || "");
      if (day) {
        var time = document.createElement("time");
        time.dateTime = day[0];
        time.textContent = humanDate(day, entry.lang || boxLanguage(container));
        time.style.whiteSpace = "nowrap";  // a date never breaks across lines
        entry.appendChild(document.createTextNode(" "));
        entry.appendChild(time);
      }
      list.appendChild(entry);
    });
    container.textContent = "";
    if (feed.title) {
      var heading = document.createElement("p");
      heading.className = "enbekshi-feed-title";
      heading.textContent = feed.title;
      heading.dir = "auto";
      container.appendChild(heading);
    }
    container.appendChild(list);
    container.setAttribute("data-feed-state", "loaded");
  }

  // Said in the language of the box (its lang, or the page's) when the feed cannot be had.
  var UNAVAILABLE = {
    en: "The headlines cannot be shown right now.",
    ru: "Заголовки сейчас не удаётся показать.",
    kk: "Тақырыптарды қазір көрсету мүмкін емес."
  };

  function fail(container) {
    var language = boxLanguage(container);
    var notice = document.createElement("p");
    notice.className = "enbekshi-feed-error";
    notice.textContent = UNAVAILABLE[language] || UNAVAILABLE.en;
    container.textContent = "";
    container.appendChild(notice);
    container.setAttribute("data-feed-state", "error");
  }

  function load(container) {
    var source = safeUrl(container.getAttribute("data-feed") || "");
    if (!source) {
      fail(container);
      return;
    }
    fetch(source, { headers: { Accept: "application/feed+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (feed) { render(container, feed); })
      .catch(function () { fail(container); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-feed]"), load);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
