/* MathJax 2 settings for the offline site: jupyter-server-mathjax ships only the STIX-Web
   fonts, so MathJax must not look for its TeX fonts (they are not there). */
MathJax.Hub.Config({
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}
});
MathJax.Ajax.loadComplete("[MathJax]/config/course.js");
