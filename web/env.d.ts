// esbuild bundles imported CSS into the page's app.css.
declare module '*.css';
