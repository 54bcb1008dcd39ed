-- digitd schema version 2: why a document failed, so that a later copy of
-- content that failed for a passing reason is processed again.
--
-- documents.failure, for status 'failed' (NULL otherwise):
--   'content'    the bytes are not a readable image (corrupt, truncated, not an
--                image): permanent; later copies are duplicates of this row
--   'transient'  out of memory, an I/O error: a later copy is processed again
--   'name'       the name did not match `accept`: a later copy (renamed) is
--                processed again
--   'limit'      over max_file_size or max_pixels: a later copy is processed
--                again (the limits may have been raised)
-- A retried copy updates the failed row in place (same id: sha256 stays the
-- identity, duplicates that point at it stay valid); rows failed before
-- version 2 have NULL and count as 'content'.
ALTER TABLE documents ADD COLUMN failure TEXT
	CHECK (failure IS NULL OR failure IN ('content', 'transient', 'name', 'limit'));
