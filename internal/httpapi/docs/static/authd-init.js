// authd's Swagger UI start-up. It is a file served from /docs/assets/, not an
// inline <script>, so the page's Content-Security-Policy can keep script-src to
// 'self' without 'unsafe-inline'. The spec URL comes from the page's
// data-spec-url attribute, which the server fills in HTML-escaped.
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");

  // The one thing of an authorization this page keeps across reloads: the
  // access token, in this tab's sessionStorage, gone when the tab closes.
  // Swagger UI's own persistAuthorization would write the whole
  // authorization to localStorage, across browser restarts: the username,
  // the password of the OAuth2 password flow and the refresh token
  // (ASVS 5.0 V14.3.3 allows a session token in sessionStorage, nothing
  // more, and never the password).
  var tokenKey = "authd.access_token";

  function keepToken(token) {
    if (typeof token === "string" && token !== "") {
      sessionStorage.setItem(tokenKey, token);
    }
  }

  // isBearer tells the "http" scheme "bearer" from the others (a Basic
  // scheme's value would be a username and password). schema is an
  // Immutable map or a plain object, depending on the caller.
  function isBearer(schema) {
    if (!schema) {
      return false;
    }
    var get = typeof schema.get === "function"
      ? function (k) { return schema.get(k); }
      : function (k) { return schema[k]; };
    return get("type") === "http" && String(get("scheme")).toLowerCase() === "bearer";
  }

  // A Swagger UI plugin that wraps the auth actions: every authorization
  // that yields an access token keeps that token only, and logging out of
  // the dialog forgets it.
  function tokenOnlyAuthorization() {
    return {
      statePlugins: {
        auth: {
          wrapActions: {
            // The OAuth2 password flow, after POST /auth/login answered.
            authorizeOauth2: function (next) {
              return function (payload) {
                keepToken(payload && payload.token && payload.token.access_token);
                return next(payload);
              };
            },
            // A token pasted into the bearer scheme's field.
            authorize: function (next) {
              return function (payload) {
                Object.keys(payload || {}).forEach(function (name) {
                  var auth = payload[name];
                  if (auth && isBearer(auth.schema)) {
                    keepToken(auth.value);
                  }
                });
                return next(payload);
              };
            },
            logout: function (next) {
              return function (payload) {
                sessionStorage.removeItem(tokenKey);
                return next(payload);
              };
            }
          }
        }
      }
    };
  }

  var ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Off: see tokenKey. The token kept there is restored in onComplete.
    persistAuthorization: false,
    tryItOutEnabled: true,
    // No validator badge: it would send the document to validator.swagger.io,
    // and no request from these pages may leave the machine.
    validatorUrl: null,
    // Ignore ?url= and ?configUrl= in the page address, so a link cannot
    // point our docs page, with the user's token, at another document.
    queryConfigEnabled: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl, tokenOnlyAuthorization],
    layout: "StandaloneLayout",
    // Once the document is loaded: authorize this tab again with the kept
    // token, under the document's bearer scheme (either scheme satisfies
    // every operation that takes a token).
    onComplete: function () {
      var token = sessionStorage.getItem(tokenKey);
      if (!token) {
        return;
      }
      var schemes = ui.specSelectors.specJson().getIn(["components", "securitySchemes"]);
      var name = schemes && schemes.findKey(isBearer);
      if (name) {
        ui.preauthorizeApiKey(name, token);
      }
    }
  });
})();
