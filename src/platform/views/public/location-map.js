// The location step's map, a progressive enhancement (docs/forms.md "Location"): loaded only when the
// council has configured a tile server (MAP_TILE_URL) and the page asks for a location, after Leaflet.
// Clicking or tapping the map, or pressing Enter or Space on it (or the "Use the middle of the map" button)
// chooses a point: a marker shows it, the two hidden fields carry it and a status line says it in words.
// Without this script the map stays hidden and the description and postcode are the answer.
const L = window.L;

/** Text as HTML (Leaflet's attribution is HTML; the setting is plain text). */
const asHtml = (text) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const round = (n) => Math.round(n * 1e6) / 1e6;

function setUp(box) {
  const holder = box.parentElement;
  const latInput = holder.querySelector('[data-location-lat]');
  const lngInput = holder.querySelector('[data-location-lng]');
  const canvas = box.querySelector('[data-location-map-canvas]');
  const status = box.querySelector('[data-location-map-status]');
  const place = box.querySelector('[data-location-map-place]');
  const remove = box.querySelector('[data-location-map-remove]');
  const intro = box.querySelector('p[id]');
  const data = box.dataset;
  box.hidden = false;

  const [lat, lng, zoom] = (data.centre || '54.5,-3,6').split(',').map(Number);
  const map = L.map(canvas, { keyboard: true, zoomControl: true }).setView([lat, lng], zoom);
  canvas.setAttribute('role', 'region');
  canvas.setAttribute('aria-label', data.label);
  if (intro) canvas.setAttribute('aria-describedby', intro.id);
  L.tileLayer(data.tileUrl, { attribution: asHtml(data.attribution || ''), maxZoom: 19 }).addTo(map);
  const icon = L.icon({
    iconUrl: data.markerIcon,
    iconRetinaUrl: data.markerIcon2x,
    shadowUrl: data.markerShadow,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    shadowSize: [41, 41],
  });
  let marker = null;

  function show(point) {
    if (!point) {
      status.textContent = data.none;
      remove.hidden = true;
      return;
    }
    status.textContent = data.chosen.replace('{lat}', String(point.lat)).replace('{lng}', String(point.lng));
    remove.hidden = false;
  }

  function choose(latlng) {
    const point = { lat: round(latlng.lat), lng: round(latlng.lng) };
    latInput.value = String(point.lat);
    lngInput.value = String(point.lng);
    if (marker) marker.setLatLng(point);
    else marker = L.marker(point, { icon, keyboard: false, interactive: false, alt: '' }).addTo(map);
    show(point);
  }

  function clear() {
    latInput.value = '';
    lngInput.value = '';
    if (marker) marker.remove();
    marker = null;
    show(null);
  }

  map.on('click', (event) => choose(event.latlng));
  canvas.addEventListener('keydown', (event) => {
    if (event.target !== canvas || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    choose(map.getCenter());
  });
  place.addEventListener('click', () => choose(map.getCenter()));
  remove.addEventListener('click', () => {
    clear();
    canvas.focus();
  });

  const kept = { lat: Number(latInput.value), lng: Number(lngInput.value) };
  if (
    latInput.value !== '' &&
    lngInput.value !== '' &&
    Number.isFinite(kept.lat) &&
    Number.isFinite(kept.lng)
  ) {
    map.setView(kept, Math.max(zoom, 16));
    choose(kept);
  } else show(null);
}

if (L) for (const box of document.querySelectorAll('[data-location-map]')) setUp(box);
