// authd's Swagger UI start-up. It is a file served from /docs/assets/, not an
// inline <script>, so the page's Content-Security-Policy can keep script-src to
// 'self' without 'unsafe-inline'. The spec URL comes from the page's
// data-spec-url attribute, which the server fills in HTML-escaped.
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");

  SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Keeps the token from the Authorize dialog (OAuth2 password flow to
    // POST /auth/login, or a pasted bearer token) across reloads, in this
    // browser's localStorage; the securitySchemes come from the document.
    persistAuthorization: true,
    tryItOutEnabled: true,
    // No validator badge: it would send the document to validator.swagger.io,
    // and no request from these pages may leave the machine.
    validatorUrl: null,
    // Ignore ?url= and ?configUrl= in the page address, so a link cannot
    // point our docs page, with the user's stored token, at another document.
    queryConfigEnabled: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
})();
