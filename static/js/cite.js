// A cached page may have been made on an earlier day: the access date is today, counted in
// the portal's time zone (Beijing time) like the update date beside it, so a reader west of
// China never sees a record accessed before it was updated.
(function () {
  var today;
  try {
    today = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
  } catch (error) {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }
  document.querySelectorAll("time.cite__accessed").forEach(function (element) {
    element.dateTime = today;
    element.textContent = today;
  });
})();
