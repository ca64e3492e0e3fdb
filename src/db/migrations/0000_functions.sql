-- Functions the schema's defaults need, created before any table.

-- nanoid(): 21 URL-safe characters drawn from cryptographically strong random bytes.
-- gen_random_uuid() is core PostgreSQL (13+), so no extension is needed. Of a version-4
-- UUID's 16 bytes, byte 6 carries the version and byte 8 the variant; the other 14 are
-- random. Each character takes the low 6 bits of one random byte: 64 symbols, uniform.
CREATE OR REPLACE FUNCTION nanoid(size integer DEFAULT 21)
RETURNS text
LANGUAGE plpgsql
VOLATILE
PARALLEL SAFE
AS $$
DECLARE
  alphabet CONSTANT text := '_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  random_bytes bytea := ''::bytea;
  uuid_bytes bytea;
  result text := '';
BEGIN
  IF size IS NULL OR size < 1 THEN
    RAISE EXCEPTION 'nanoid size must be positive, got %', size;
  END IF;
  WHILE length(random_bytes) < size LOOP
    uuid_bytes := uuid_send(gen_random_uuid());
    random_bytes := random_bytes
      || substring(uuid_bytes FROM 1 FOR 6)
      || substring(uuid_bytes FROM 8 FOR 1)
      || substring(uuid_bytes FROM 10 FOR 7);
  END LOOP;
  FOR i IN 0 .. size - 1 LOOP
    result := result || substr(alphabet, (get_byte(random_bytes, i) & 63) + 1, 1);
  END LOOP;
  RETURN result;
END
$$;
--> statement-breakpoint

-- Timestamps are stored as UTC wall-clock time (the seed's TIMESTAMP columns). Writers that
-- connect without our pool settings, such as psql, must see the same clock.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC');
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not set the database time zone to UTC; connections must set it';
END
$$;
