-- Search: the texts of search documents move to a table of their own, so that the
-- rows search scans (filters and the tsvector) stay narrow enough for PostgreSQL's
-- buffers at 100,000 documents. The tsvector is written by search_document_tsv()
-- instead of a generated column (it needs the texts, which are now elsewhere).
-- Prisma's diff gives the table and the dropped columns; the function, the data
-- copy and the tsvector column are by hand.

-- The tsvector of a search document's texts: Russian stemming, ё folded; title A,
-- question B, answer C, tags D. Used by search/postgres.ts when writing documents.
CREATE FUNCTION search_document_tsv(title text, question text, answer text, study text, subject text, grade integer, task text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('russian'::regconfig, translate(title, 'ёЁ', 'еЕ')), 'A') ||
           setweight(to_tsvector('russian'::regconfig, translate(question, 'ёЁ', 'еЕ')), 'B') ||
           setweight(to_tsvector('russian'::regconfig, translate(answer, 'ёЁ', 'еЕ')), 'C') ||
           setweight(to_tsvector('russian'::regconfig,
               coalesce(study, '') || ' ' || coalesce(subject, '') || ' ' ||
               coalesce(grade::text || ' класс', '') || ' ' || coalesce('задание ' || task, '')), 'D')
$$;

-- CreateTable
CREATE TABLE "SearchDocumentText" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,

    CONSTRAINT "SearchDocumentText_pkey" PRIMARY KEY ("id")
);

INSERT INTO "SearchDocumentText" ("id", "title", "question", "answer")
SELECT "id", "title", "question", "answer" FROM "SearchDocument";

-- The generated column (and its GIN index) give way to a plain one.
ALTER TABLE "SearchDocument" DROP COLUMN "tsv";
ALTER TABLE "SearchDocument" ADD COLUMN "tsv" tsvector;
UPDATE "SearchDocument" d SET "tsv" = search_document_tsv(t."title", t."question", t."answer", d."study", d."subject", d."grade", d."task")
FROM "SearchDocumentText" t WHERE t."id" = d."id";

-- AlterTable
ALTER TABLE "SearchDocument" DROP COLUMN "answer",
DROP COLUMN "question",
DROP COLUMN "title";

-- CreateIndex
CREATE INDEX "SearchDocument_tsv_idx" ON "SearchDocument" USING GIN ("tsv");
