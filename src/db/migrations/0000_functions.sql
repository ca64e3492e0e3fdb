-- Functions the schema's defaults need, created before any table.

-- nanoid(): 21 URL-safe characters drawn from cryptographically strong random bytes.
-- gen_random_uuid() is core PostgreSQL (13+), so no extension is needed. Of a version-4
-- UUID's 16 bytes, byte 6 carries the version and byte 8 the variant; the other 14 are
-- random. The random bytes are base64url-encoded in one step (6 bits a symbol: 64 symbols,
-- uniform), with no loop per character: a fan-out calls this tens of thousands of times.
CREATE OR REPLACE FUNCTION nanoid(size integer DEFAULT 21)
RETURNS text
LANGUAGE plpgsql
VOLATILE
PARALLEL SAFE
AS $$
DECLARE
  needed integer;
  random_bytes bytea := ''::bytea;
  uuid_bytes bytea;
BEGIN
  IF size IS NULL OR size < 1 THEN
    RAISE EXCEPTION 'nanoid size must be positive, got %', size;
  END IF;
  -- Enough bytes for size × 6 bits; base64 turns every 6 bits into one symbol.
  needed := (size * 6 + 7) / 8;
  WHILE length(random_bytes) < needed LOOP
    uuid_bytes := uuid_send(gen_random_uuid());
    random_bytes := random_bytes
      || substring(uuid_bytes FROM 1 FOR 6)
      || substring(uuid_bytes FROM 8 FOR 1)
      || substring(uuid_bytes FROM 10 FOR 7);
  END LOOP;
  -- base64url ('+' → '-', '/' → '_'); encode() wraps long output, so newlines are dropped.
  RETURN substr(translate(encode(random_bytes, 'base64'), E'+/\n', '-_'), 1, size);
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
