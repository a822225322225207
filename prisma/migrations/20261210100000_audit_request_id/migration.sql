-- A query's access record is appended while its department calls are out (its early record); when the response
-- disclosed more than that record says (errors, more subjects), the response's own record follows with the same
-- request id (src/audit/request.ts). The auditors' view shows each request's last record: this index finds a later
-- record of the same request (src/audit/access-log.ts).
CREATE INDEX "audit_log_request_id_idx" ON "audit_log"("request_id");
