/*
 * Starts Swagger UI on /api/docs/ (templates/drf_spectacular/swagger_ui.html) from data the page
 * carries — the schema URL and CSRF header on #swagger-ui, the UI settings in a JSON data block —
 * so the page needs no inline script under the Content-Security-Policy.
 */
(function () {
  "use strict";

  function readJSON(id) {
    var element = document.getElementById(id);
    if (!element) {
      return {};
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return {};
    }
  }

  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle === "undefined") {
      return;
    }
    var csrfHeader = root.getAttribute("data-csrf-header");
    var csrfToken = root.getAttribute("data-csrf-token");

    // Writes from the page are same-origin session requests: they carry the CSRF token.
    function requestInterceptor(request) {
      var method = (request.method || "GET").toUpperCase();
      if (method !== "GET" && request.credentials === "same-origin" && csrfHeader) {
        request.headers[csrfHeader] = csrfToken;
      }
      return request;
    }

    var options = Object.assign(
      {
        url: root.getAttribute("data-schema-url"),
        dom_id: "#swagger-ui",
        presets: [window.SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
        requestInterceptor: requestInterceptor
      },
      readJSON("swagger-settings")
    );
    window.ui = window.SwaggerUIBundle(options);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
