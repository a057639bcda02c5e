-- Intake storage (issue 5, throughput): a letter's bytes are written once.
-- Generated with `npm run db:diff`, then by hand: the storage settings and
-- the partial trigram index, which the schema cannot express.

-- AlterTable: attachments of a stored letter refer to its raw bytes instead
-- of holding a second copy (old rows keep their bytes and stay readable).
ALTER TABLE "TicketAttachment" ADD COLUMN     "inboundMailId" INTEGER,
ADD COLUMN     "inboundPart" INTEGER;

-- Mail is mostly base64 and images, which pglz cannot shrink: skip the
-- attempt to compress every letter (the values are still moved out of line).
ALTER TABLE "InboundMail" ALTER COLUMN "raw" SET STORAGE EXTERNAL;
ALTER TABLE "TicketAttachment" ALTER COLUMN "content" SET STORAGE EXTERNAL;

-- The desk searches what people wrote, not our automatic replies (long
-- templates, one per letter): they are left out of the trigram index.
DROP INDEX "TicketMessage_shownText_idx";
CREATE INDEX "TicketMessage_shownText_idx" ON "TicketMessage" USING GIN ("shownText" gin_trgm_ops) WHERE NOT "automatic";
