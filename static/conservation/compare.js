/* The before/after comparison: side by side or overlaid with a slider, zoomable.
   No inline script or style: this file is loaded with defer; styles are set through the CSSOM. */
(function () {
  "use strict";
  var root = document.querySelector("[data-compare]");
  var autosubmit = document.querySelector("[data-autosubmit]");
  if (autosubmit) {
    autosubmit.addEventListener("change", function () { autosubmit.form.submit(); });
  }
  if (!root) { return; }
  var views = root.querySelectorAll("[data-view]");
  var modes = root.querySelectorAll("[data-mode]");
  var slider = root.querySelector("[data-slider]");
  var top = root.querySelector("[data-top]");
  var zoom = root.querySelector("[data-zoom]");
  var frames = root.querySelectorAll("[data-frame]");

  function show(mode) {
    views.forEach(function (v) { v.hidden = v.getAttribute("data-view") !== mode; });
    modes.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-mode") === mode));
    });
  }
  function reveal() {
    var share = Number(slider.value);
    /* the after photograph covers the left share of the frame */
    top.style.clipPath = "inset(0 " + (100 - share) + "% 0 0)";
  }
  function scale() {
    var factor = Number(zoom.value);
    frames.forEach(function (frame) {
      var content = frame.firstElementChild;
      content.style.width = (100 * factor) + "%";
    });
  }
  /* side-by-side frames scroll together, so both show the same detail */
  var syncing = false;
  var sideFrames = root.querySelectorAll("[data-view=side] [data-frame]");
  sideFrames.forEach(function (frame) {
    frame.addEventListener("scroll", function () {
      if (syncing) { return; }
      syncing = true;
      sideFrames.forEach(function (other) {
        if (other !== frame) {
          other.scrollLeft = frame.scrollLeft;
          other.scrollTop = frame.scrollTop;
        }
      });
      syncing = false;
    });
  });
  /* dragging pans a zoomed frame */
  frames.forEach(function (frame) {
    var start = null;
    frame.addEventListener("pointerdown", function (e) {
      if (Number(zoom.value) === 1) { return; }
      start = { x: e.clientX, y: e.clientY, left: frame.scrollLeft, top: frame.scrollTop };
      frame.setPointerCapture(e.pointerId);
    });
    frame.addEventListener("pointermove", function (e) {
      if (!start) { return; }
      frame.scrollLeft = start.left - (e.clientX - start.x);
      frame.scrollTop = start.top - (e.clientY - start.y);
    });
    frame.addEventListener("pointerup", function () { start = null; });
  });
  modes.forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-mode")); });
  });
  slider.addEventListener("input", reveal);
  zoom.addEventListener("change", scale);
  reveal();
  scale();
})();
