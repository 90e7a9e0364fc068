// The reply box: choosing an approved reply shows, and puts in the text box, exactly what the
// patient will receive in their language (staff can still edit it or write their own).
(function () {
  "use strict";
  var select = document.getElementById("canned");
  var body = document.getElementById("body");
  var preview = document.getElementById("canned-preview");
  var previewText = document.getElementById("canned-preview-text");
  if (!select || !body) { return; }
  var filled = "";
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var text = option ? (option.getAttribute("data-text") || "") : "";
    if (preview && previewText) {
      previewText.textContent = text;
      preview.hidden = !text;
    }
    if (body.value === "" || body.value === filled) {
      body.value = text;
      filled = text;
    }
  });
}());
