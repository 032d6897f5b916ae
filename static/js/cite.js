// A cached page may have been made on an earlier day: the access date is the reader's today.
(function () {
  var now = new Date();
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  document.querySelectorAll("time.cite__accessed").forEach(function (element) {
    element.dateTime = today;
    element.textContent = today;
  });
})();
