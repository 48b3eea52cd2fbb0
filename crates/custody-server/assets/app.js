// Progressive enhancement only: every page reads fully without this file.
// Times in the viewer's zone beside the server's relative words, and live pages.
(function () {
  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.textContent = d.toLocaleString() + " (" + t.getAttribute("data-ago") + ")";
      t.title = t.getAttribute("datetime");
    });
  }
  function live(main) {
    var url = main.getAttribute("data-live");
    if (!url) return;
    var seen = null;
    setInterval(function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
        .then(function (latest) {
          if (latest === null) return;
          if (seen !== null && latest !== seen) {
            fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); })
              .then(function (html) {
                var next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
                if (next) { main.innerHTML = next.innerHTML; localTimes(main); }
              });
          }
          seen = latest;
        }).catch(function () {});
    }, 5000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    var main = document.getElementById("main");
    if (main) live(main);
  });
})();
