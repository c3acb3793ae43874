// zslite's /docs: Swagger UI over the registry's OpenAPI document (same origin, no internet access).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,            // never ask validator.swagger.io
    persistAuthorization: false,   // a session uuid is not kept in localStorage
    docExpansion: "list",
    filter: true,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
