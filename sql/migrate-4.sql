-- digitd schema version 4: documents sent back through the pipeline by
-- `digitctl retry` (a failed document) and `digitctl reprocess` (a done one),
-- with the row they had kept and linked to the row that replaces it.
--
-- documents.requeued_at: when digitctl moved the original back into
--   incoming/, or when a new copy of content that failed for a passing reason
--   (not 'content') was taken up (ISO 8601 UTC).  Such a row no longer settles its content: the
--   next copy of the same bytes is read again, whatever the row's status.
-- documents.superseded_by: the row written when that copy was read.  The old
--   row keeps its status, error, fields and digits (nothing is deleted); it
--   leaves the review and unread queues and document_text, which show the
--   current reading only.
-- A row with requeued_at and no superseded_by is waiting for the daemon.
ALTER TABLE documents ADD COLUMN requeued_at TEXT;
ALTER TABLE documents ADD COLUMN superseded_by INTEGER REFERENCES documents(id);

-- One current done/failed row per content: a row sent back steps aside so the
-- new reading can be inserted beside it.
DROP INDEX documents_sha256_primary;
CREATE UNIQUE INDEX documents_sha256_primary ON documents(sha256)
	WHERE status IN ('done', 'failed') AND requeued_at IS NULL;
CREATE INDEX documents_superseded ON documents(superseded_by) WHERE superseded_by IS NOT NULL;

DROP VIEW review_queue;
CREATE VIEW review_queue AS
	SELECT d.id, d.document_id, doc.name, d.field_id, d.page, d.x, d.y, d.w, d.h,
	       d.label, d.confidence, d.alt_label, d.alt_confidence
	FROM digits d JOIN documents doc ON doc.id = d.document_id
	WHERE d.flagged = 1 AND d.reviewed_label IS NULL AND doc.superseded_by IS NULL
	ORDER BY d.confidence ASC, d.id ASC;

DROP VIEW unread_queue;
CREATE VIEW unread_queue AS
	SELECT u.id, u.document_id, doc.name, u.page, u.x, u.y, u.w, u.h, u.why
	FROM unread u JOIN documents doc ON doc.id = u.document_id
	WHERE u.reviewed_text IS NULL AND doc.superseded_by IS NULL
	ORDER BY u.document_id, u.id;

DROP VIEW document_text;
CREATE VIEW document_text AS
	SELECT f.document_id, doc.name, doc.sha256, f.id AS field_id, f.page, f.idx,
	       f.x, f.y, f.w, f.h,
	       (SELECT group_concat(CAST(COALESCE(d.reviewed_label, d.label) AS TEXT), '')
		FROM (SELECT * FROM digits WHERE field_id = f.id ORDER BY pos) d) AS text,
	       f.confidence,
	       f.flagged,
	       (SELECT count(*) FROM digits WHERE field_id = f.id AND reviewed_label IS NOT NULL) AS reviewed,
	       (SELECT count(*) FROM digits WHERE field_id = f.id AND +flagged = 1 AND reviewed_label IS NULL) AS unreviewed_flags
	FROM fields f JOIN documents doc ON doc.id = f.document_id
	WHERE doc.superseded_by IS NULL
	ORDER BY f.document_id, f.idx;
