-- Typo candidates are the vocabulary words nearest to a query word by trigram
-- distance (ORDER BY word <-> q LIMIT k): a GiST trigram index serves that as an
-- index-ordered scan. The GIN index was never chosen for `word % q` on PGlite,
-- which compared the query word with every word of the vocabulary.

-- DropIndex
DROP INDEX "SearchWord_word_idx";

-- CreateIndex
CREATE INDEX "SearchWord_word_idx" ON "SearchWord" USING GIST ("word" gist_trgm_ops);
