// Opens the IIIF manifest named by the page (data-manifest-url) in the vendored TIFY viewer.
// Loaded as a module after vendor/tify/tify.js, which sets window.Tify.
const container = document.getElementById("iiif-viewer");
if (container && container.dataset.manifestUrl && window.Tify) {
  const language = container.dataset.language === "zh" ? "zh" : "en"; // tify-translations/zh.json
  new window.Tify({
    container,
    manifestUrl: new URL(container.dataset.manifestUrl, window.location.href).href,
    language,
    translationsDirUrl: container.dataset.translationsUrl,
    urlQueryKey: "tify",
  });
}
