// Lists: "select all on this page", and menus that apply themselves (page size).
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("input.select-page")) {
    box.hidden = false;
    const table = box.closest("table");
    box.addEventListener("change", () => {
      for (const row of table.querySelectorAll('tbody input[type=checkbox][name="holdings"]')) {
        row.checked = box.checked;
      }
    });
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
