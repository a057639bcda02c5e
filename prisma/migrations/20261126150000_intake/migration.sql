-- AlterTable
ALTER TABLE "InboundMail" ADD COLUMN     "outcome" JSONB;

-- AlterTable
ALTER TABLE "TicketMessage" ADD COLUMN     "sendAfter" TIMESTAMP(3);

