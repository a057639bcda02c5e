-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "forumLinks" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "intakeVerdict" JSONB;

-- CreateTable
CREATE TABLE "DeskQueue" (
    "study" TEXT NOT NULL,
    "roundRobin" BOOLEAN NOT NULL DEFAULT false,
    "lastAssigneeId" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeskQueue_pkey" PRIMARY KEY ("study")
);

-- CreateIndex
CREATE INDEX "Ticket_createdAt_idx" ON "Ticket"("createdAt");

-- CreateIndex
CREATE INDEX "Ticket_subject_idx" ON "Ticket" USING GIN ("subject" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "TicketMessage_shownText_idx" ON "TicketMessage" USING GIN ("shownText" gin_trgm_ops);


-- The first verdict of the intake rules, for the desk statistics («share of
-- letters missing each rule»): copied from "verdict" when a ticket is created
-- with one, or when its first verdict is written later. Later verdicts (the
-- rules re-checked on the whole conversation) leave it alone. A trigger, so
-- that every way a ticket is created keeps it; Prisma's schema does not
-- describe triggers, so `npm run db:diff` does not see this.
CREATE FUNCTION "ticket_keep_intake_verdict"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."intakeVerdict" IS NULL AND jsonb_typeof(NEW."verdict") = 'object' THEN
    NEW."intakeVerdict" := NEW."verdict";
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Ticket_keep_intake_verdict" BEFORE INSERT OR UPDATE OF "verdict" ON "Ticket"
  FOR EACH ROW EXECUTE FUNCTION "ticket_keep_intake_verdict"();
