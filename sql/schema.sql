-- digitd database, schema version 1.
--
-- A public interface: people query it with sqlite3, so the names of tables,
-- columns and views below are fixed.  Later versions only add (migrations in
-- sql/migrate-N.sql take version N-1 to N).  Boxes are in original image pixels.
-- The daemon applies this file to an empty database in one transaction and
-- sets PRAGMA user_version = 1 and PRAGMA application_id = 0x44474954 ('DGIT').

CREATE TABLE documents (
	id           INTEGER PRIMARY KEY,
	sha256       TEXT NOT NULL,                  -- hex of the file's bytes; a document's identity
	name         TEXT NOT NULL,                  -- name as dropped in incoming/
	size         INTEGER NOT NULL,
	received_at  TEXT NOT NULL,                  -- ISO 8601 UTC, when claimed
	processed_at TEXT,                           -- ISO 8601 UTC, when committed
	status       TEXT NOT NULL CHECK (status IN ('done', 'failed', 'duplicate')),
	error        TEXT,                           -- why, when failed
	model        TEXT,                           -- nn_model_id() of the model used
	ms           REAL,                           -- recognition time
	duplicate_of INTEGER REFERENCES documents(id),
	pages        INTEGER,
	width        INTEGER,                        -- first page
	height       INTEGER,
	original     TEXT,                           -- where the original went (done/ or failed/ path), if kept
	claim        TEXT                            -- the spool file that produced the row ("ino:mtime_ns"),
	                                             -- so a file recovered after a crash is known as already
	                                             -- committed rather than taken for a duplicate of itself
);
-- One done/failed row per content; duplicates point at it.
CREATE UNIQUE INDEX documents_sha256_primary ON documents(sha256) WHERE status IN ('done', 'failed');
CREATE INDEX documents_received ON documents(received_at);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX documents_claim ON documents(claim);

CREATE TABLE pages (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	page        INTEGER NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	UNIQUE (document_id, page)
);

CREATE TABLE fields (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	page        INTEGER NOT NULL,
	x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,
	text        TEXT NOT NULL,                   -- as predicted
	confidence  REAL NOT NULL,
	flagged     INTEGER NOT NULL DEFAULT 0,
	idx         INTEGER NOT NULL DEFAULT 0       -- order within the document
);
CREATE INDEX fields_document ON fields(document_id);

CREATE TABLE digits (
	id             INTEGER PRIMARY KEY,
	document_id    INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	field_id       INTEGER REFERENCES fields(id) ON DELETE CASCADE,
	page           INTEGER NOT NULL,
	x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,
	label          INTEGER NOT NULL,
	confidence     REAL NOT NULL,
	alt_label      INTEGER,
	alt_confidence REAL,
	flagged        INTEGER NOT NULL DEFAULT 0,
	reviewed_label INTEGER CHECK (reviewed_label IS NULL OR reviewed_label BETWEEN 0 AND 9),
	reviewed_by    TEXT,
	reviewed_at    TEXT,
	crop28         BLOB,                         -- 784 bytes, the normalised image the model saw
	crop_png       BLOB,                         -- PNG of the original crop
	pos            INTEGER NOT NULL DEFAULT 0,   -- position in its field, left to right
	why            INTEGER NOT NULL DEFAULT 0    -- REC_FLAG_* bits: why it was flagged
);
CREATE INDEX digits_document ON digits(document_id);
CREATE INDEX digits_field ON digits(field_id, pos);
CREATE INDEX digits_review ON digits(flagged, reviewed_label, confidence);

-- Flagged digits nobody has reviewed yet, least confident first.
CREATE VIEW review_queue AS
	SELECT d.id, d.document_id, doc.name, d.field_id, d.page, d.x, d.y, d.w, d.h,
	       d.label, d.confidence, d.alt_label, d.alt_confidence
	FROM digits d JOIN documents doc ON doc.id = d.document_id
	WHERE d.flagged = 1 AND d.reviewed_label IS NULL
	ORDER BY d.confidence ASC, d.id ASC;

-- One row per field with the final text: reviewed labels override predictions.
CREATE VIEW document_text AS
	SELECT f.document_id, doc.name, doc.sha256, f.id AS field_id, f.page, f.idx,
	       f.x, f.y, f.w, f.h,
	       (SELECT group_concat(CAST(COALESCE(d.reviewed_label, d.label) AS TEXT), '')
		FROM (SELECT * FROM digits WHERE field_id = f.id ORDER BY pos) d) AS text,
	       f.confidence,
	       f.flagged,
	       (SELECT count(*) FROM digits WHERE field_id = f.id AND reviewed_label IS NOT NULL) AS reviewed,
	       -- "+flagged": count through digits_field; without ANALYZE statistics SQLite
	       -- would otherwise scan the whole review backlog (digits_review) per field
	       (SELECT count(*) FROM digits WHERE field_id = f.id AND +flagged = 1 AND reviewed_label IS NULL) AS unreviewed_flags
	FROM fields f JOIN documents doc ON doc.id = f.document_id
	ORDER BY f.document_id, f.idx;
