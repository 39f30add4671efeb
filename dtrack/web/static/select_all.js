// "Chọn tất cả" with JavaScript: the header checkbox ticks or clears every row of its table.
// Without JavaScript the checkbox stays hidden and the "select all" link reloads the page ticked.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  var table = all.closest("table");
  var rows = function () { return table.querySelectorAll("tbody input[type=checkbox]"); };
  all.hidden = false;
  all.addEventListener("change", function () {
    rows().forEach(function (box) { box.checked = all.checked; });
  });
  table.addEventListener("change", function (event) {
    if (event.target === all) { return; }
    var boxes = Array.prototype.slice.call(rows());
    all.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
  });
});
