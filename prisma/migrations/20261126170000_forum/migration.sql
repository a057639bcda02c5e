-- CreateEnum
CREATE TYPE "ForumKind" AS ENUM ('SUPPORT', 'EXPERTS');

-- CreateEnum
CREATE TYPE "TopicStatus" AS ENUM ('OPEN', 'ANSWERED', 'RESOLVED', 'CLOSED');

-- CreateTable
CREATE TABLE "Forum" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "kind" "ForumKind" NOT NULL,
    "study" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "position" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Forum_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForumSection" (
    "id" SERIAL NOT NULL,
    "forumId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "position" INTEGER NOT NULL DEFAULT 0,
    "archived" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ForumSection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExpertSubject" (
    "id" SERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "grade" INTEGER NOT NULL,
    "taskCount" INTEGER,
    "position" INTEGER NOT NULL DEFAULT 0,
    "archived" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ExpertSubject_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Topic" (
    "id" SERIAL NOT NULL,
    "forumId" INTEGER NOT NULL,
    "sectionId" INTEGER,
    "expertSubjectId" INTEGER,
    "taskNumber" TEXT,
    "variant" TEXT,
    "year" INTEGER,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    "status" "TopicStatus" NOT NULL DEFAULT 'OPEN',
    "disputed" BOOLEAN NOT NULL DEFAULT false,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "mergedIntoId" INTEGER,
    "officialPostId" INTEGER,
    "acceptedPostId" INTEGER,
    "claimedById" INTEGER,
    "claimExpiresAt" TIMESTAMP(3),
    "replyCount" INTEGER NOT NULL DEFAULT 0,
    "viewCount" INTEGER NOT NULL DEFAULT 0,
    "lastPostAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstAnsweredAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Topic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "topicId" INTEGER NOT NULL,
    "authorId" INTEGER NOT NULL,
    "isFirst" BOOLEAN NOT NULL DEFAULT false,
    "replyToId" INTEGER,
    "content" JSONB NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "official" BOOLEAN NOT NULL DEFAULT false,
    "agreeCount" INTEGER NOT NULL DEFAULT 0,
    "disagreeCount" INTEGER NOT NULL DEFAULT 0,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "hiddenById" INTEGER,
    "hiddenReason" TEXT,
    "editCount" INTEGER NOT NULL DEFAULT 0,
    "editedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostRevision" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "editorId" INTEGER NOT NULL,
    "content" JSONB NOT NULL,
    "html" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PostRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostVote" (
    "postId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "value" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PostVote_pkey" PRIMARY KEY ("postId","userId")
);

-- CreateTable
CREATE TABLE "PostFlag" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "reporterId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),
    "resolvedById" INTEGER,

    CONSTRAINT "PostFlag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForumUpload" (
    "id" TEXT NOT NULL,
    "ownerId" INTEGER NOT NULL,
    "postId" INTEGER,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "redactedAt" TIMESTAMP(3),
    "redactedById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ForumUpload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TopicSubscription" (
    "topicId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TopicSubscription_pkey" PRIMARY KEY ("topicId","userId")
);

-- CreateTable
CREATE TABLE "ModerationLog" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "topicId" INTEGER,
    "postId" INTEGER,
    "details" JSONB,

    CONSTRAINT "ModerationLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForumEvent" (
    "id" BIGSERIAL NOT NULL,
    "room" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ForumEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "topicId" INTEGER,
    "postId" INTEGER,
    "text" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),
    "emailState" TEXT NOT NULL DEFAULT 'none',
    "emailAttempts" INTEGER NOT NULL DEFAULT 0,
    "emailAfter" TIMESTAMP(3),
    "emailError" TEXT,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationPreference" (
    "userId" INTEGER NOT NULL,
    "answeredWeb" BOOLEAN NOT NULL DEFAULT true,
    "answeredEmail" BOOLEAN NOT NULL DEFAULT true,
    "resolvedWeb" BOOLEAN NOT NULL DEFAULT true,
    "resolvedEmail" BOOLEAN NOT NULL DEFAULT true,
    "mentionWeb" BOOLEAN NOT NULL DEFAULT true,
    "mentionEmail" BOOLEAN NOT NULL DEFAULT false,
    "replyWeb" BOOLEAN NOT NULL DEFAULT true,
    "replyEmail" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "NotificationPreference_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Forum_slug_key" ON "Forum"("slug");

-- CreateIndex
CREATE INDEX "ForumSection_forumId_position_idx" ON "ForumSection"("forumId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ExpertSubject_subject_grade_key" ON "ExpertSubject"("subject", "grade");

-- CreateIndex
CREATE UNIQUE INDEX "Topic_officialPostId_key" ON "Topic"("officialPostId");

-- CreateIndex
CREATE UNIQUE INDEX "Topic_acceptedPostId_key" ON "Topic"("acceptedPostId");

-- CreateIndex
CREATE INDEX "Topic_forumId_sectionId_pinned_lastPostAt_idx" ON "Topic"("forumId", "sectionId", "pinned", "lastPostAt");

-- CreateIndex
CREATE INDEX "Topic_forumId_expertSubjectId_pinned_lastPostAt_idx" ON "Topic"("forumId", "expertSubjectId", "pinned", "lastPostAt");

-- CreateIndex
CREATE INDEX "Topic_status_createdAt_idx" ON "Topic"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Topic_authorId_idx" ON "Topic"("authorId");

-- CreateIndex
CREATE INDEX "Post_topicId_id_idx" ON "Post"("topicId", "id");

-- CreateIndex
CREATE INDEX "Post_authorId_createdAt_idx" ON "Post"("authorId", "createdAt");

-- CreateIndex
CREATE INDEX "PostRevision_postId_id_idx" ON "PostRevision"("postId", "id");

-- CreateIndex
CREATE INDEX "PostFlag_resolvedAt_createdAt_idx" ON "PostFlag"("resolvedAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PostFlag_postId_reporterId_key" ON "PostFlag"("postId", "reporterId");

-- CreateIndex
CREATE INDEX "ForumUpload_ownerId_createdAt_idx" ON "ForumUpload"("ownerId", "createdAt");

-- CreateIndex
CREATE INDEX "ForumUpload_postId_idx" ON "ForumUpload"("postId");

-- CreateIndex
CREATE INDEX "TopicSubscription_userId_idx" ON "TopicSubscription"("userId");

-- CreateIndex
CREATE INDEX "ModerationLog_at_idx" ON "ModerationLog"("at");

-- CreateIndex
CREATE INDEX "ModerationLog_topicId_idx" ON "ModerationLog"("topicId");

-- CreateIndex
CREATE INDEX "ForumEvent_room_id_idx" ON "ForumEvent"("room", "id");

-- CreateIndex
CREATE INDEX "ForumEvent_createdAt_idx" ON "ForumEvent"("createdAt");

-- CreateIndex
CREATE INDEX "Notification_userId_readAt_id_idx" ON "Notification"("userId", "readAt", "id");

-- CreateIndex
CREATE INDEX "Notification_emailState_emailAfter_idx" ON "Notification"("emailState", "emailAfter");

-- AddForeignKey
ALTER TABLE "ForumSection" ADD CONSTRAINT "ForumSection_forumId_fkey" FOREIGN KEY ("forumId") REFERENCES "Forum"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_forumId_fkey" FOREIGN KEY ("forumId") REFERENCES "Forum"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_sectionId_fkey" FOREIGN KEY ("sectionId") REFERENCES "ForumSection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_expertSubjectId_fkey" FOREIGN KEY ("expertSubjectId") REFERENCES "ExpertSubject"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_mergedIntoId_fkey" FOREIGN KEY ("mergedIntoId") REFERENCES "Topic"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_officialPostId_fkey" FOREIGN KEY ("officialPostId") REFERENCES "Post"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_acceptedPostId_fkey" FOREIGN KEY ("acceptedPostId") REFERENCES "Post"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Topic" ADD CONSTRAINT "Topic_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_topicId_fkey" FOREIGN KEY ("topicId") REFERENCES "Topic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostRevision" ADD CONSTRAINT "PostRevision_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostVote" ADD CONSTRAINT "PostVote_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostFlag" ADD CONSTRAINT "PostFlag_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForumUpload" ADD CONSTRAINT "ForumUpload_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TopicSubscription" ADD CONSTRAINT "TopicSubscription_topicId_fkey" FOREIGN KEY ("topicId") REFERENCES "Topic"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Reference data: one support forum per study and the ВПР experts forum.
INSERT INTO "Forum" ("slug", "kind", "study", "title", "description", "position") VALUES
  ('experts', 'EXPERTS', 'ВПР', 'Эксперты ВПР', 'Вопросы по проверке и оцениванию работ ВПР: официальные ответы специалистов ФИОКО и обсуждение спорных случаев.', 0),
  ('vpr', 'SUPPORT', 'ВПР', 'ВПР', 'Техническая поддержка Всероссийских проверочных работ.', 1),
  ('vpr-spo', 'SUPPORT', 'ВПР СПО', 'ВПР СПО', 'ВПР в организациях среднего профессионального образования.', 2),
  ('niko', 'SUPPORT', 'НИКО', 'НИКО', 'Национальные исследования качества образования.', 3),
  ('msi', 'SUPPORT', 'МСИ', 'МСИ', 'Международные сравнительные исследования.', 4),
  ('iku', 'SUPPORT', 'ИКУ', 'ИКУ', 'Исследования компетенций учителей.', 5),
  ('fgkko', 'SUPPORT', 'ФГККО', 'ФГККО', 'Федеральный государственный контроль качества образования.', 6),
  ('500plus', 'SUPPORT', '500+', '500+', 'Проект адресной методической помощи школам с низкими результатами.', 7),
  ('mum', 'SUPPORT', 'МУМ', 'МУМ', 'Мониторинг управленческих механизмов.', 8);

-- Default sections of each support forum (administrators edit them).
INSERT INTO "ForumSection" ("forumId", "title", "description", "position")
SELECT f."id", s."title", s."description", s."position"
FROM "Forum" f
CROSS JOIN (VALUES
  ('Общие вопросы', 'Сроки, порядок проведения, документы.', 0),
  ('Обмен данными', 'Публикации, материалы, загрузка форм и «Ход работы».', 1),
  ('Аналитика', 'Заказ и просмотр отчётов.', 2),
  ('Доступ к личному кабинету', 'Логины, пароли, учётные записи ОО и МОУО.', 3)
) AS s("title", "description", "position")
WHERE f."kind" = 'SUPPORT';

-- The ВПР catalogue: subjects per grade (administrators edit it).
INSERT INTO "ExpertSubject" ("subject", "grade", "position")
SELECT s."subject", s."grade", s."position"
FROM (VALUES
  ('Русский язык', 4, 0), ('Математика', 4, 1), ('Окружающий мир', 4, 2), ('Литературное чтение', 4, 3), ('Английский язык', 4, 4),
  ('Русский язык', 5, 0), ('Математика', 5, 1), ('История', 5, 2), ('Биология', 5, 3), ('География', 5, 4), ('Литература', 5, 5),
  ('Русский язык', 6, 0), ('Математика', 6, 1), ('История', 6, 2), ('Биология', 6, 3), ('География', 6, 4), ('Обществознание', 6, 5), ('Литература', 6, 6),
  ('Русский язык', 7, 0), ('Математика', 7, 1), ('История', 7, 2), ('Биология', 7, 3), ('География', 7, 4), ('Обществознание', 7, 5), ('Физика', 7, 6), ('Информатика', 7, 7), ('Английский язык', 7, 8),
  ('Русский язык', 8, 0), ('Математика', 8, 1), ('История', 8, 2), ('Биология', 8, 3), ('География', 8, 4), ('Обществознание', 8, 5), ('Физика', 8, 6), ('Химия', 8, 7), ('Информатика', 8, 8),
  ('История', 10, 0), ('География', 10, 1), ('Физика', 10, 2), ('Химия', 10, 3), ('Биология', 10, 4), ('Обществознание', 10, 5),
  ('История', 11, 0), ('География', 11, 1), ('Физика', 11, 2), ('Химия', 11, 3), ('Биология', 11, 4), ('Обществознание', 11, 5)
) AS s("subject", "grade", "position");
