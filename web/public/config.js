// Settings for this copy of the EnigmaPool website, read before the site starts.
// apiBase: where the pool's API is, e.g. "https://api.pool.example.com" when these files are on a CDN
// or another host (the API must then allow this site's origin; CORS is open for GET). Empty: the
// same origin as this page, which is right when `enigmapool start` serves the site itself.
window.ENIGMAPOOL_CONFIG = {
  apiBase: '',
};
