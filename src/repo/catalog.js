(function () {
  "use strict";
  var box = document.getElementById("search");
  var list = document.getElementById("charts");
  if (!box || !list) {
    return;
  }
  var items = Array.prototype.slice.call(list.querySelectorAll("li.chart"));
  var count = document.getElementById("count");
  var empty = document.getElementById("empty");

  function filter() {
    var terms = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      var text = item.getAttribute("data-search") || "";
      var match = terms.every(function (term) {
        return text.indexOf(term) !== -1;
      });
      item.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    count.textContent = shown === items.length
      ? items.length + (items.length === 1 ? " chart" : " charts")
      : shown + " of " + items.length + " charts";
    empty.hidden = shown !== 0;
    var query = box.value.trim();
    var url = query ? "?q=" + encodeURIComponent(query) : location.pathname;
    history.replaceState(null, "", url);
  }

  box.addEventListener("input", filter);
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    box.value = initial;
    box.dispatchEvent(new Event("input"));
  }
  document.body.setAttribute("data-ready", "true");
})();
