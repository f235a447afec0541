/*
 * A thin wrapper around Material's search worker.
 *
 * Material matches each query word as a prefix ("word*"), and lunr skips the
 * language pipeline for such words, so a stemmed index (Turkish, German) or
 * Korean words with particles attached never match an inflected query. This
 * wrapper reduces each query word with the index's own stemmer before
 * Material sees it: "Abhängigkeiten" finds "Abhängigkeit", and "엔드포인트를"
 * finds "엔드포인트에서".
 *
 * Loaded as worker.js?material=<Material's worker file>, from the same folder.
 */
(function () {
  "use strict";
  var language = "en";
  var listen = self.addEventListener.bind(self);

  function stemmerFor(lang) {
    var support = self.lunr && self.lunr[lang];
    return lang !== "en" && support && support.stemmer ? support.stemmer : null;
  }

  function reduce(query) {
    var stem = stemmerFor(language);
    if (!stem) {
      return query;
    }
    return query.split(/(\s+)/).map(function (word) {
      if (!/^[^\s*+\-:^~"]+$/.test(word)) {
        return word; // whitespace, or a word using lunr's query syntax
      }
      var token = stem(new self.lunr.Token(word.toLowerCase(), {}));
      return token ? token.toString() : word;
    }).join("");
  }

  function rewrite(message) {
    if (message && message.type === 0 && message.data && message.data.config) {
      language = (message.data.config.lang || ["en"])[0];
    } else if (message && message.type === 2 && typeof message.data === "string") {
      return { type: 2, data: reduce(message.data) };
    }
    return message;
  }

  self.addEventListener = function (type, listener, options) {
    if (type !== "message") {
      return listen(type, listener, options);
    }
    return listen(type, function (event) {
      return listener({ data: rewrite(event.data) });
    }, options);
  };

  var material = new URL(self.location.href).searchParams.get("material");
  if (!material || !/^[\w.-]+\.js$/.test(material)) {
    throw new Error("guide-search.js expects ?material=<Material's search worker file>");
  }
  importScripts(material);
})();
