-- Loads the geo benchmark data set: 1,000,000 containers spread like a real country
-- (France: 80 % in Gaussian clusters around 40 cities weighted by population, 20 %
-- uniformly over the countryside), one site per city plus one for the countryside, and
-- six round 1.5 km areas per city. Deterministic (setseed). Secondary indexes are
-- dropped during the load and rebuilt after, from their own definitions.
\set ON_ERROR_STOP on
SET maintenance_work_mem = '512MB';
SELECT setseed(0.42);

CREATE TEMP TABLE cities (name text, lat float8, lon float8, pop float8);
INSERT INTO cities VALUES
 ('Paris',48.8566,2.3522,2100),('Marseille',43.2965,5.3698,870),('Lyon',45.7640,4.8357,520),
 ('Toulouse',43.6047,1.4442,490),('Nice',43.7102,7.2620,340),('Nantes',47.2184,-1.5536,320),
 ('Montpellier',43.6108,3.8767,300),('Strasbourg',48.5734,7.7521,290),('Bordeaux',44.8378,-0.5792,260),
 ('Lille',50.6292,3.0573,235),('Rennes',48.1173,-1.6778,220),('Reims',49.2583,4.0317,180),
 ('Toulon',43.1242,5.9280,176),('Saint-Etienne',45.4397,4.3872,173),('Le Havre',49.4944,0.1079,170),
 ('Grenoble',45.1885,5.7245,158),('Dijon',47.3220,5.0415,157),('Angers',47.4784,-0.5632,155),
 ('Nimes',43.8367,4.3601,148),('Clermont-Ferrand',45.7772,3.0870,147),('Aix-en-Provence',43.5297,5.4474,145),
 ('Le Mans',48.0061,0.1996,143),('Brest',48.3904,-4.4861,140),('Tours',47.3941,0.6848,136),
 ('Amiens',49.8941,2.2958,134),('Limoges',45.8336,1.2611,130),('Annecy',45.8992,6.1294,128),
 ('Perpignan',42.6887,2.8948,120),('Metz',49.1193,6.1757,117),('Besancon',47.2378,6.0241,116),
 ('Orleans',47.9030,1.9093,116),('Rouen',49.4432,1.0999,114),('Mulhouse',47.7508,7.3359,108),
 ('Caen',49.1829,-0.3707,106),('Nancy',48.6921,6.1844,104),('Avignon',43.9493,4.8055,91),
 ('Poitiers',46.5802,0.3404,89),('La Rochelle',46.1603,-1.1511,77),('Pau',43.2951,-0.3708,76),
 ('Bayonne',43.4929,-1.4748,52);

CREATE TEMP TABLE weighted AS
SELECT c.*, gen_random_uuid() AS site_id,
       row_number() OVER (ORDER BY name) AS rank,
       sum(pop) OVER (ORDER BY name) - pop AS lo,
       sum(pop) OVER (ORDER BY name) AS hi,
       sum(pop) OVER () AS total,
       2.0 + 4.0 * sqrt(pop / 1000.0) AS sigma_km
FROM cities c;

INSERT INTO sites (id, code, name, created_at, updated_at)
SELECT site_id, 'bench-' || rank, name, now(), now() FROM weighted;
INSERT INTO sites (id, code, name, created_at, updated_at)
VALUES ('00000000-0000-4000-8000-000000000001', 'bench-countryside', 'Countryside', now(), now());

-- Six round areas per city: the centre and five around it, 3 km out.
INSERT INTO areas (id, site_id, code, name, boundary, created_at, updated_at)
SELECT gen_random_uuid(), w.site_id, 'district-' || k, w.name || ' ' || k,
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(
           w.lon + CASE WHEN k = 0 THEN 0 ELSE 3.0 * sin(radians(72 * k)) / (111.32 * cos(radians(w.lat))) END,
           w.lat + CASE WHEN k = 0 THEN 0 ELSE 3.0 * cos(radians(72 * k)) / 111.32 END), 4326)::geography,
           1500, 4)::geometry),
       now(), now()
FROM weighted w CROSS JOIN generate_series(0, 5) k;

CREATE TEMP TABLE saved_indexes AS
SELECT c2.relname AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class c2 ON c2.oid = i.indexrelid
WHERE c.relname = 'containers' AND c.relnamespace = 'public'::regnamespace
  AND NOT i.indisprimary AND NOT i.indisunique;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM saved_indexes LOOP EXECUTE format('DROP INDEX %I', r.name); END LOOP;
END $$;

CREATE TEMP TABLE alphabet AS SELECT '23456789ABCDEFGHJKMNPQRSTWXYZ'::text AS a;

INSERT INTO containers (id, public_code, site_id, kind, status, capacity_litres, location,
                        address, archived_at, created_at, updated_at)
SELECT gen_random_uuid(),
       'B' || (SELECT string_agg(substr(a, ((d.n / (29 ^ k)::bigint) % 29)::int + 1, 1), '' ORDER BY k)
               FROM alphabet, generate_series(0, 5) k),
       coalesce(w.site_id, '00000000-0000-4000-8000-000000000001'),
       CASE WHEN d.k < 0.70 THEN 'street_bin' WHEN d.k < 0.80 THEN 'underground'
            WHEN d.k < 0.95 THEN 'in_store' ELSE 'other' END,
       CASE WHEN d.s < 0.85 THEN 'active' WHEN d.s < 0.91 THEN 'full' WHEN d.s < 0.95 THEN 'damaged'
            WHEN d.s < 0.98 THEN 'maintenance' ELSE 'removed' END,
       2500,
       ST_SetSRID(CASE WHEN w.name IS NULL
           THEN ST_MakePoint(-4.5 + d.cx * 12.5, 42.5 + d.cy * 8.5)
           ELSE ST_MakePoint(
               w.lon + w.sigma_km * sqrt(-2 * ln(1 - d.u)) * sin(2 * pi() * d.theta) / (111.32 * cos(radians(w.lat))),
               w.lat + w.sigma_km * sqrt(-2 * ln(1 - d.u)) * cos(2 * pi() * d.theta) / 111.32)
           END, 4326),
       (d.n % 200 + 1) || ' rue de la République, ' || coalesce(w.name, 'Campagne'),
       CASE WHEN d.a < 0.01 THEN now() END,
       now(), now()
FROM (SELECT n, random() AS pick, random() AS u, random() AS theta, random() AS k, random() AS s,
             random() AS cx, random() AS cy, random() AS a
      FROM generate_series(1, 1000000) n) d
LEFT JOIN weighted w
       ON d.pick < 0.8 AND (d.pick / 0.8) * w.total >= w.lo AND (d.pick / 0.8) * w.total < w.hi;

DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT def FROM saved_indexes LOOP EXECUTE r.def; END LOOP;
END $$;
VACUUM ANALYZE containers;
VACUUM ANALYZE areas;
