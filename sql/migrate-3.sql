-- digitd schema version 3: why a field is flagged, and what could not be read.
--
-- fields.why: the REC_FLAG_* bits of the field (its digits' reasons and its
-- own: gap, beside); `digitctl reasons` lists them.
-- unread: ink that may be a number but was not read as digits (a field whose
-- candidates were all dropped while one might have been a digit), so that a
-- number that could not be read is never simply absent; why holds the unread
-- bit and the reasons its candidates were dropped.  A person types what is
-- written there (reviewed_text, '' when nothing is).
ALTER TABLE fields ADD COLUMN why INTEGER NOT NULL DEFAULT 0;

CREATE TABLE unread (
	id            INTEGER PRIMARY KEY,
	document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	page          INTEGER NOT NULL,
	x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,
	why           INTEGER NOT NULL DEFAULT 0,
	reviewed_text TEXT,
	reviewed_by   TEXT,
	reviewed_at   TEXT
);
CREATE INDEX unread_document ON unread(document_id);

-- Unread regions nobody has looked at yet, oldest document first.
CREATE VIEW unread_queue AS
	SELECT u.id, u.document_id, doc.name, u.page, u.x, u.y, u.w, u.h, u.why
	FROM unread u JOIN documents doc ON doc.id = u.document_id
	WHERE u.reviewed_text IS NULL
	ORDER BY u.document_id, u.id;
