// tinynet's only script of its own. Live updates swap a fresh copy of a run's panel in several times a
// second; a <details> the reader opened would snap shut each time. Remember which ones are open.
(function () {
  const open = new Set();
  document.addEventListener("toggle", function (e) {
    const d = e.target;
    if (d.tagName === "DETAILS" && d.id) {
      if (d.open) { open.add(d.id); } else { open.delete(d.id); }
    }
  }, true);
  function reopen() {
    open.forEach(function (id) {
      const d = document.getElementById(id);
      if (d && !d.open) { d.open = true; }
    });
  }
  document.addEventListener("htmx:afterSwap", reopen);
  document.addEventListener("htmx:sseMessage", reopen);
})();
