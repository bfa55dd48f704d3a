// Site-wide behaviour, loaded from the project (the Content-Security-Policy allows no inline script).
"use strict";
document.addEventListener("change", (event) => {
  // A <select data-autosubmit> submits its form as soon as a choice is made (the language menu).
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form?.submit();
  }
});
