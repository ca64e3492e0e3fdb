-- nanoid() without a loop per character: the random bytes (6 bits a character, from the random
-- bytes of version-4 UUIDs as before) are base64url-encoded in one step. Same 64 symbols, same
-- uniformity, several times faster; a fan-out calls it tens of thousands of times.
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
