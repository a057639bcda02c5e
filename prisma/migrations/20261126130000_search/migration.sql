-- Search: the answer bank, synonyms, the outbox and the PostgreSQL engine's index (issue 4).
-- Generated with `npm run db:diff` (from the previous schema), then by hand: the pg_trgm
-- extension, the generated tsvector column, the C collation of SearchWord.word (so that
-- prefix look-ups use its primary key) and the default synonym list.

-- Trigram similarity for typo tolerance. On PGlite the extension is loaded by
-- server/db/pglite-serve.ts, so this statement works there too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateEnum
CREATE TYPE "SearchVisibility" AS ENUM ('public', 'agents');

-- CreateEnum
CREATE TYPE "ReadyAnswerStatus" AS ENUM ('draft', 'published', 'archived');

-- CreateTable
CREATE TABLE "ReadyAnswer" (
    "id" SERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "study" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "grade" INTEGER,
    "taskNumber" TEXT,
    "variant" TEXT,
    "year" INTEGER,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "official" BOOLEAN NOT NULL DEFAULT false,
    "status" "ReadyAnswerStatus" NOT NULL DEFAULT 'published',
    "visibility" "SearchVisibility" NOT NULL DEFAULT 'public',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReadyAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchSynonym" (
    "id" SERIAL NOT NULL,
    "terms" TEXT[],
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SearchSynonym_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchOutbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "lastError" TEXT,

    CONSTRAINT "SearchOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchDocument" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "official" BOOLEAN NOT NULL DEFAULT false,
    "study" TEXT,
    "subject" TEXT,
    "grade" INTEGER,
    "task" TEXT,
    "year" INTEGER,
    "visibility" "SearchVisibility" NOT NULL DEFAULT 'public',
    "orgIds" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "updatedAt" TIMESTAMP(3) NOT NULL,
    -- Russian stemming, ё folded; title A, question B, answer C, tags D (search/postgres.ts).
    "tsv" tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian'::regconfig, translate("title", 'ёЁ', 'еЕ')), 'A') ||
        setweight(to_tsvector('russian'::regconfig, translate("question", 'ёЁ', 'еЕ')), 'B') ||
        setweight(to_tsvector('russian'::regconfig, translate("answer", 'ёЁ', 'еЕ')), 'C') ||
        setweight(to_tsvector('russian'::regconfig,
            coalesce("study", '') || ' ' || coalesce("subject", '') || ' ' ||
            coalesce("grade"::text || ' класс', '') || ' ' || coalesce('задание ' || "task", '')), 'D')
    ) STORED,

    CONSTRAINT "SearchDocument_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchWord" (
    "word" TEXT COLLATE "C" NOT NULL,
    "lexeme" TEXT NOT NULL,
    "ndoc" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SearchWord_pkey" PRIMARY KEY ("word")
);

-- CreateIndex
CREATE INDEX "ReadyAnswer_study_subject_grade_idx" ON "ReadyAnswer"("study", "subject", "grade");

-- CreateIndex
CREATE UNIQUE INDEX "ReadyAnswer_source_externalId_key" ON "ReadyAnswer"("source", "externalId");

-- CreateIndex
CREATE INDEX "SearchOutbox_processedAt_availableAt_idx" ON "SearchOutbox"("processedAt", "availableAt");

-- CreateIndex
CREATE INDEX "SearchOutbox_createdAt_idx" ON "SearchOutbox"("createdAt");

-- CreateIndex
CREATE INDEX "SearchDocument_tsv_idx" ON "SearchDocument" USING GIN ("tsv");

-- CreateIndex
CREATE INDEX "SearchDocument_kind_visibility_idx" ON "SearchDocument"("kind", "visibility");

-- CreateIndex
CREATE INDEX "SearchWord_word_idx" ON "SearchWord" USING GIN ("word" gin_trgm_ops);

-- Default domain synonyms (administrators edit them in the answer bank).
INSERT INTO "SearchSynonym" ("terms", "note", "updatedAt") VALUES
    (ARRAY['КИМ', 'контрольные измерительные материалы'], 'материалы работы', CURRENT_TIMESTAMP),
    (ARRAY['ВПР', 'всероссийская проверочная работа', 'проверочная работа'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['критерии оценивания', 'критерии проверки', 'система оценивания', 'критерии'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['ОО', 'школа', 'образовательная организация', 'ОУ'], 'организация', CURRENT_TIMESTAMP),
    (ARRAY['МОУО', 'муниципалитет', 'муниципальный орган управления образованием', 'АТЕ'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['СПО', 'колледж', 'техникум'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['балл', 'первичный балл'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['отметка', 'оценка'], 'отметка за работу', CURRENT_TIMESTAMP),
    (ARRAY['единицы измерения', 'единица измерения', 'размерность', 'наименование величины'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['арифметическая ошибка', 'вычислительная ошибка', 'ошибка в вычислениях'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['ученик', 'обучающийся', 'учащийся', 'участник'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['форма сбора результатов', 'электронный протокол', 'протокол', 'ФСР'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['код участника', 'код ученика'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['личный кабинет', 'ЛК'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['рисунок', 'чертеж', 'схема'], NULL, CURRENT_TIMESTAMP),
    (ARRAY['порядок действий', 'последовательность действий', 'ход решения'], NULL, CURRENT_TIMESTAMP);
