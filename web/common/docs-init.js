// Swagger UI for /docs, served from the installed swagger-ui-dist (no CDN); a file, not an inline script, so the CSP can forbid inline code.
window.addEventListener('load', function () {
  window.ui = window.SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
});
