DROP INDEX IF EXISTS containers_location_geography_gist;
