-- bssgate queries file: reference schema B (config/schemas/b/, docs/operator-schema.md "Schema B").
-- Every block replaces the SQL of one query by name; binds and result columns stay the contract
-- (`bssgate db queries` prints them). Codes are mapped to ours in SQL (CASE), money in 厘 is
-- converted to fen in SQL: ROUND(厘 / 10.0), half away from zero, applied to the figure the wire
-- shows (a line, or a sum taken in 厘), never to the lines of a sum.
-- Queries not named here keep their default SQL: their tables have the same shape in schema B
-- (USR_BUSI_RECORD, USR_BUSI_SRVG, RES_MOB_CARD, TAB_SPECIALCUSTLST, TAB_VOIPSUBSCRB, SWITCH_INS_MODEL,
-- the BSG_* tables, the monthly ticket tables: the same columns, other names).

-- The monthly ticket tables, named as in the family's CDMA billing (TICKET_CDMA_VOICE_<yymm>,
-- CDMA1X_TICKET_RATE_…): the ticket queries keep their default SQL and read these tables. These
-- lines are also what `db init --schema b` creates and fills, and what `db init --force` drops.
-- Not a {mm}-only name (CDMA1X_TICKET_RATE_<MM>, reused every year): a query for the same month a
-- year earlier would read this year's rows, since the ticket queries do not filter on the month.
-- table: ticket.GSMCDMA = TICKET_CDMA_VOICE_{yymm}
-- table: ticket.SMS = TICKET_CDMA_SMS_{yymm}
-- table: ticket.CDMA1X = CDMA1X_TICKET_RATE_{yyyy}_{mm}
-- table: ticket.163 = TICKET_IP163_{yyyymm}

-- name: subscriber.by-number
SELECT s.SUBSCRBID AS subscrbid, s.SVCNUM AS svcnum,
  CASE s.SVCID WHEN '10' THEN 'G' WHEN '20' THEN 'C' WHEN '21' THEN 'X' WHEN '30' THEN 'V' END AS nettype,
  CASE s.SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status,
  s.CUSTID AS custid, r.ACCTID AS acctid, s.IMSI AS imsi, s.ICCID AS simcardid, s.IPCARDNO AS cardnum,
  SUBSTR(s.AREAID, 1, 4) AS region, p.PRCPLNID AS prcpln
FROM TAB_SUBSCRB s
JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = s.SUBSCRBID AND r.ACCTITMTYPEID IN (1, -1)
  AND NOT EXISTS (SELECT 1 FROM TAB_ACCTRELATION r2 WHERE r2.SUBSCRBID = s.SUBSCRBID AND r2.ACCTITMTYPEID IN (1, -1) AND r2.EFFDATE > r.EFFDATE)
JOIN TAB_SUBSCRBPRCPLN p ON p.SUBSCRBID = s.SUBSCRBID AND p.PRCPLNTYPEID < 100
  AND NOT EXISTS (SELECT 1 FROM TAB_SUBSCRBPRCPLN p2 WHERE p2.SUBSCRBID = s.SUBSCRBID AND p2.PRCPLNTYPEID < 100 AND p2.BEGTIME > p.BEGTIME)
WHERE s.SVCNUM = :svcnum
ORDER BY CASE WHEN s.SVCSTAT = '9' THEN 1 ELSE 0 END, s.OPENDATE DESC {{limit 1}}

-- name: subscriber.voip-by-card
SELECT s.SUBSCRBID AS subscrbid, s.SVCNUM AS svcnum,
  CASE s.SVCID WHEN '10' THEN 'G' WHEN '20' THEN 'C' WHEN '21' THEN 'X' WHEN '30' THEN 'V' END AS nettype,
  CASE s.SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status,
  s.CUSTID AS custid, r.ACCTID AS acctid, s.IMSI AS imsi, s.ICCID AS simcardid, s.IPCARDNO AS cardnum,
  SUBSTR(s.AREAID, 1, 4) AS region, p.PRCPLNID AS prcpln
FROM TAB_SUBSCRB s
JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = s.SUBSCRBID AND r.ACCTITMTYPEID IN (1, -1)
  AND NOT EXISTS (SELECT 1 FROM TAB_ACCTRELATION r2 WHERE r2.SUBSCRBID = s.SUBSCRBID AND r2.ACCTITMTYPEID IN (1, -1) AND r2.EFFDATE > r.EFFDATE)
JOIN TAB_SUBSCRBPRCPLN p ON p.SUBSCRBID = s.SUBSCRBID AND p.PRCPLNTYPEID < 100
  AND NOT EXISTS (SELECT 1 FROM TAB_SUBSCRBPRCPLN p2 WHERE p2.SUBSCRBID = s.SUBSCRBID AND p2.PRCPLNTYPEID < 100 AND p2.BEGTIME > p.BEGTIME)
WHERE s.IPCARDNO = :cardnum AND s.SVCID = '30'
ORDER BY CASE WHEN s.SVCSTAT = '9' THEN 1 ELSE 0 END, s.OPENDATE DESC {{limit 1}}

-- name: subscriber.noprint-rule
SELECT PRCPLNID AS prcpln, CASE WHEN AREAID = '000000' THEN 'Z' ELSE SUBSTR(AREAID, 1, 4) END AS region
FROM TAB_PRCPLN_NOPRINT
WHERE PRCPLNID = :prcpln AND (AREAID = CAST(:region AS VARCHAR(4)) || '00' OR AREAID = '000000') {{limit 1}}

-- name: profile.by-subscrbid
SELECT s.SUBSCRBID AS subscrbid, s.CUSTID AS custid, r.ACCTID AS acctid, s.SVCNUM AS svcnum,
  CASE s.SVCID WHEN '10' THEN 'G' WHEN '20' THEN 'C' WHEN '21' THEN 'X' WHEN '30' THEN 'V' END AS nettype,
  CASE s.SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status,
  s.STATDATE AS statusdate, s.OPENDATE AS opendate, SUBSTR(s.AREAID, 1, 4) AS region, p.PRCPLNID AS prcpln,
  pp.PRCPLNNAME AS prcplnname, s.CUSTNAME AS custname, s.CERTTYPE AS idtype, s.CERTNO AS idnum, s.CUSTADDR AS address,
  s.LINKPHONE AS contactnum, s.POSTCODE AS postcode, s.EMAIL AS email, s.IMSI AS imsi, s.ICCID AS simcardid, s.IPCARDNO AS cardnum
FROM TAB_SUBSCRB s
JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = s.SUBSCRBID AND r.ACCTITMTYPEID IN (1, -1)
  AND NOT EXISTS (SELECT 1 FROM TAB_ACCTRELATION r2 WHERE r2.SUBSCRBID = s.SUBSCRBID AND r2.ACCTITMTYPEID IN (1, -1) AND r2.EFFDATE > r.EFFDATE)
JOIN TAB_SUBSCRBPRCPLN p ON p.SUBSCRBID = s.SUBSCRBID AND p.PRCPLNTYPEID < 100
  AND NOT EXISTS (SELECT 1 FROM TAB_SUBSCRBPRCPLN p2 WHERE p2.SUBSCRBID = s.SUBSCRBID AND p2.PRCPLNTYPEID < 100 AND p2.BEGTIME > p.BEGTIME)
LEFT JOIN TAB_PRCPLN pp ON pp.PRCPLNID = p.PRCPLNID
WHERE s.SUBSCRBID = :subscrbid

-- name: profile.status-by-subscrbid
SELECT SUBSCRBID AS subscrbid, CASE SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status, STATDATE AS statusdate FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid

-- name: auth.password
SELECT SUBSCRBPWD AS svcpwd FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid

-- name: account.balance
-- the balance is the sum of the account's books (fen)
SELECT ACCTID AS acctid, SUM(THISBAL) AS balance, MAX(UPDTIME) AS updated FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :acctid GROUP BY ACCTID

-- name: account.credit
SELECT a.ACCTID AS acctid, CASE a.PAYTYPE WHEN '14' THEN 1 WHEN '10' THEN 2 WHEN '15' THEN 3 WHEN '12' THEN 4 WHEN '11' THEN 5 END AS pay_mode,
  t.PAYTYPENAME AS paytypename, t.CREDITLEVEL AS credit_level, t.CREDITFEE AS credit_limit
FROM TAB_ACCT a LEFT JOIN TAB_PAYTYPE t ON t.PAYTYPE = a.PAYTYPE
WHERE a.ACCTID = :acctid

-- name: bills.items
-- one bill-detail table per area; fees in 厘 → fen, rounded half away from zero (ROUND)
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097100 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097200 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097900 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097700 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097400 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097000 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097300 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097500 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  ROUND((b.FEE + b.DFEE) / 10.0) AS amount, ROUND((b.DFEE) / 10.0) AS discount
FROM TAB_BILLDETAIL_097600 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
ORDER BY itemcode

-- name: bills.items @sqlite
-- SQLite: the same with exact integer arithmetic: ROUND of a REAL (厘 / 10.0) is a double, which
-- loses the fen beyond 2^53 厘; integer division truncates, so half away from zero is ± 5 first.
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097100 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097200 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097900 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097700 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097400 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097000 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097300 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097500 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
UNION ALL
SELECT CAST(SUBSTR(b.ACCTITMID, 3, 4) AS INTEGER) AS itemcode, i.ACCTITMNAME AS itemname,
  (b.FEE + b.DFEE + CASE WHEN b.FEE + b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, (b.DFEE + CASE WHEN b.DFEE < 0 THEN -5 ELSE 5 END) / 10 AS discount
FROM TAB_BILLDETAIL_097600 b JOIN TAB_ACCTITEM i ON i.ACCTITMID = b.ACCTITMID
WHERE b.SUBSCRBID = :subscrbid AND b.BILLINGCYCLID = :cycle
ORDER BY itemcode

-- name: bills.realtime-items
SELECT 'U' AS kind, CAST(SUBSTR(ACCTITMID, 3, 4) AS INTEGER) AS itemcode, ROUND((FEE + DFEE) / 10.0) AS amount, UPDTIME AS updated
FROM TAB_ACC_GSM_SUM_FEE WHERE SUBSCRBID = :subscrbid AND MONTH = :cycle
UNION ALL
SELECT 'R' AS kind, CAST(SUBSTR(ACCTITMID, 3, 4) AS INTEGER) AS itemcode, ROUND((FEE + DFEE) / 10.0) AS amount, UPDTIME AS updated
FROM TAB_ACC_GSM_HOT_RENT WHERE SUBSCRBID = :subscrbid AND MONTH = :cycle
ORDER BY kind DESC, itemcode

-- name: bills.realtime-items @sqlite
-- SQLite: the same with exact integer arithmetic: ROUND of a REAL (厘 / 10.0) is a double, which
-- loses the fen beyond 2^53 厘; integer division truncates, so half away from zero is ± 5 first.
SELECT 'U' AS kind, CAST(SUBSTR(ACCTITMID, 3, 4) AS INTEGER) AS itemcode, (FEE + DFEE + CASE WHEN FEE + DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, UPDTIME AS updated
FROM TAB_ACC_GSM_SUM_FEE WHERE SUBSCRBID = :subscrbid AND MONTH = :cycle
UNION ALL
SELECT 'R' AS kind, CAST(SUBSTR(ACCTITMID, 3, 4) AS INTEGER) AS itemcode, (FEE + DFEE + CASE WHEN FEE + DFEE < 0 THEN -5 ELSE 5 END) / 10 AS amount, UPDTIME AS updated
FROM TAB_ACC_GSM_HOT_RENT WHERE SUBSCRBID = :subscrbid AND MONTH = :cycle
ORDER BY kind DESC, itemcode

-- name: bills.account-realtime
-- usage and rents of the numbers the account pays for now (open relation), summed in 厘, then rounded to fen
SELECT b.ACCTID AS acctid, SUM(b.THISBAL) AS balance,
  (SELECT COALESCE(ROUND((SUM(f.FEE + f.DFEE)) / 10.0), 0) FROM TAB_ACC_GSM_SUM_FEE f JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = f.SUBSCRBID
    WHERE r.ACCTID = b.ACCTID AND r.ACCTITMTYPEID IN (1, -1) AND r.EXPDATE IS NULL AND f.MONTH = :cycle) AS acct_usage,
  (SELECT COALESCE(ROUND((SUM(h.FEE + h.DFEE)) / 10.0), 0) FROM TAB_ACC_GSM_HOT_RENT h JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = h.SUBSCRBID
    WHERE r.ACCTID = b.ACCTID AND r.ACCTITMTYPEID IN (1, -1) AND r.EXPDATE IS NULL AND h.MONTH = :cycle) AS acct_rents
FROM TAB_ACCOUNTPREDEPOSIT b WHERE b.ACCTID = :acctid GROUP BY b.ACCTID

-- name: bills.account-realtime @sqlite
-- SQLite: the same with exact integer arithmetic: ROUND of a REAL (厘 / 10.0) is a double, which
-- loses the fen beyond 2^53 厘; integer division truncates, so half away from zero is ± 5 first.
SELECT b.ACCTID AS acctid, SUM(b.THISBAL) AS balance,
  (SELECT COALESCE((SUM(f.FEE + f.DFEE) + CASE WHEN SUM(f.FEE + f.DFEE) < 0 THEN -5 ELSE 5 END) / 10, 0) FROM TAB_ACC_GSM_SUM_FEE f JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = f.SUBSCRBID
    WHERE r.ACCTID = b.ACCTID AND r.ACCTITMTYPEID IN (1, -1) AND r.EXPDATE IS NULL AND f.MONTH = :cycle) AS acct_usage,
  (SELECT COALESCE((SUM(h.FEE + h.DFEE) + CASE WHEN SUM(h.FEE + h.DFEE) < 0 THEN -5 ELSE 5 END) / 10, 0) FROM TAB_ACC_GSM_HOT_RENT h JOIN TAB_ACCTRELATION r ON r.SUBSCRBID = h.SUBSCRBID
    WHERE r.ACCTID = b.ACCTID AND r.ACCTITMTYPEID IN (1, -1) AND r.EXPDATE IS NULL AND h.MONTH = :cycle) AS acct_rents
FROM TAB_ACCOUNTPREDEPOSIT b WHERE b.ACCTID = :acctid GROUP BY b.ACCTID

-- name: records.srvg
SELECT CASE SUBSVCID WHEN '000000501' THEN 'CFU' WHEN '000000502' THEN 'CFB' WHEN '000000503' THEN 'CFNRY' WHEN '000000504' THEN 'CW' WHEN '000000505' THEN 'CLIP' WHEN '000000601' THEN 'ROAMN' WHEN '000000602' THEN 'ROAMI' WHEN '000000603' THEN 'IDD' WHEN '000000701' THEN 'SMS' WHEN '000000801' THEN 'DATA' END AS srvgid, SRVGPARA AS param, CASE SRVGSTAT WHEN '0' THEN 1 ELSE 0 END AS status,
  ORDERDATE AS startdate, REMOVEDATE AS enddate
FROM TAB_SRVG WHERE SUBSCRBID = :subscrbid
ORDER BY startdate, srvgid {{limit :n}}

-- name: voip.card-numbers
SELECT SVCNUM AS svcnum, CASE SVCID WHEN '10' THEN 'G' WHEN '20' THEN 'C' WHEN '21' THEN 'X' WHEN '30' THEN 'V' END AS nettype, CASE SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status
FROM TAB_SUBSCRB WHERE IPCARDNO = :cardnum AND SVCSTAT <> '9'
ORDER BY CASE WHEN SVCID = '30' THEN 0 ELSE 1 END, SVCNUM, SUBSCRBID {{limit :n}}

-- name: voip.cards-of-number
SELECT v.CARDNUM AS cardnum, v.USERNAME AS username, v.BINDDATE AS binddate, v.CUSTID AS custid, s.SVCNUM AS svcnum, CASE s.SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status
FROM TAB_VOIPSUBSCRB v JOIN TAB_SUBSCRB s ON s.SUBSCRBID = v.SUBSCRBID
WHERE v.BINDNUM = :bindnum AND s.SVCSTAT <> '9'
ORDER BY v.BINDDATE, v.CARDNUM {{limit :n}}

-- name: voip.customer-numbers
SELECT SVCNUM AS svcnum, CASE SVCID WHEN '10' THEN 'G' WHEN '20' THEN 'C' WHEN '21' THEN 'X' WHEN '30' THEN 'V' END AS nettype, CASE SVCSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '4' THEN 3 WHEN '7' THEN 4 WHEN '9' THEN 5 END AS status, IPCARDNO AS cardnum
FROM TAB_SUBSCRB WHERE CUSTID = :custid
ORDER BY CASE WHEN SVCSTAT = '9' THEN 1 ELSE 0 END, OPENDATE, SUBSCRBID {{limit :n}}

-- name: payments.history-page
SELECT PAYSN AS paysn, CASE PAYTYPE WHEN '10' THEN 1 WHEN '17' THEN 2 WHEN '11' THEN 3 WHEN '14' THEN 15 END AS paymode, PAYFEE AS amount, PAYDATE AS paytime, CHANNEL AS source, SERIALNO AS serial,
  CASE PAYSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '2' THEN 3 END AS status, OPERID AS operator
FROM TAB_PAY WHERE SVCNUM = :svcnum AND SUBSCRBID = :subscrbid
ORDER BY PAYDATE DESC, PAYSN DESC {{page :off :lim}}

-- name: payments.card-since-count
SELECT COUNT(*) AS total, COALESCE(SUM(PAYFEE), 0) AS net FROM TAB_PAY WHERE PAYDATE >= :since AND PAYTYPE = CASE CAST(:paymode AS INTEGER) WHEN 1 THEN '10' WHEN 2 THEN '17' WHEN 3 THEN '11' WHEN 15 THEN '14' END

-- name: payments.card-since-page
SELECT PAYSN AS paysn, ACCTID AS acctid, SUBSCRBID AS subscrbid, SVCNUM AS svcnum, CASE PAYTYPE WHEN '10' THEN 1 WHEN '17' THEN 2 WHEN '11' THEN 3 WHEN '14' THEN 15 END AS paymode, PAYFEE AS amount,
  PAYDATE AS paytime, CHANNEL AS source, SERIALNO AS serial, OPERID AS operator, CASE PAYSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '2' THEN 3 END AS status,
  ORIGPAYSN AS orig_paysn, CANCELPAYSN AS reversed_by
FROM TAB_PAY
WHERE PAYDATE >= :since AND PAYTYPE = CASE CAST(:paymode AS INTEGER) WHEN 1 THEN '10' WHEN 2 THEN '17' WHEN 3 THEN '11' WHEN 15 THEN '14' END
ORDER BY PAYDATE DESC, PAYSN DESC {{page :off :lim}}

-- ---------------------------------------------------------------------------------------------
-- Writes. Codes go the other way in the same way: the SQL turns bssgate's code (a bind) into
-- B's (CASE CAST(<bind> AS INTEGER) …: PostgreSQL cannot type a bare parameter in a CASE); a code
-- the CASE does not know becomes NULL, which B's NOT NULL columns refuse (the write fails, nothing
-- unknown is stored). Money written is fen in every column bssgate writes in schema B (TAB_PAY,
-- the deposit books and records): nothing to convert.

-- name: payments.by-source-serial
SELECT PAYSN AS paysn, ACCTID AS acctid, SUBSCRBID AS subscrbid, SVCNUM AS svcnum, CASE PAYTYPE WHEN '10' THEN 1 WHEN '17' THEN 2 WHEN '11' THEN 3 WHEN '14' THEN 15 END AS paymode, PAYFEE AS amount,
  PAYDATE AS paytime, CHANNEL AS source, SERIALNO AS serial, OPERID AS operator, CASE PAYSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '2' THEN 3 END AS status,
  ORIGPAYSN AS orig_paysn, CANCELPAYSN AS reversed_by
FROM TAB_PAY WHERE CHANNEL = :source AND SERIALNO = :serial

-- name: payments.by-paysn
SELECT PAYSN AS paysn, ACCTID AS acctid, SUBSCRBID AS subscrbid, SVCNUM AS svcnum, CASE PAYTYPE WHEN '10' THEN 1 WHEN '17' THEN 2 WHEN '11' THEN 3 WHEN '14' THEN 15 END AS paymode, PAYFEE AS amount,
  PAYDATE AS paytime, CHANNEL AS source, SERIALNO AS serial, OPERID AS operator, CASE PAYSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '2' THEN 3 END AS status,
  ORIGPAYSN AS orig_paysn, CANCELPAYSN AS reversed_by
FROM TAB_PAY WHERE PAYSN = :paysn

-- name: payments.card-postings-between
SELECT PAYSN AS paysn, ACCTID AS acctid, SUBSCRBID AS subscrbid, SVCNUM AS svcnum, CASE PAYTYPE WHEN '10' THEN 1 WHEN '17' THEN 2 WHEN '11' THEN 3 WHEN '14' THEN 15 END AS paymode, PAYFEE AS amount,
  PAYDATE AS paytime, CHANNEL AS source, SERIALNO AS serial, OPERID AS operator, CASE PAYSTAT WHEN '0' THEN 1 WHEN '1' THEN 2 WHEN '2' THEN 3 END AS status,
  ORIGPAYSN AS orig_paysn, CANCELPAYSN AS reversed_by
FROM TAB_PAY
WHERE CHANNEL = :source AND PAYTYPE = CASE CAST(:paymode AS INTEGER) WHEN 1 THEN '10' WHEN 2 THEN '17' WHEN 3 THEN '11' WHEN 15 THEN '14' END
  AND PAYDATE >= :from AND PAYDATE < :to
ORDER BY PAYDATE, PAYSN

-- name: payments.corrections-of
SELECT COALESCE(SUM(PAYFEE), 0) AS total, COUNT(*) AS n FROM TAB_PAY
WHERE ACCTID = :acctid AND ORIGPAYSN = :paysn AND CHANNEL = :source
  AND PAYSTAT = CASE CAST(:posted AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '2' END

-- name: payments.insert
INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYTYPE, PAYFEE, PAYDATE, CHANNEL, SERIALNO, OPERID, PAYSTAT, ORIGPAYSN, CANCELPAYSN)
VALUES (:paysn, :acctid, :subscrbid, :svcnum,
  CASE CAST(:paymode AS INTEGER) WHEN 1 THEN '10' WHEN 2 THEN '17' WHEN 3 THEN '11' WHEN 15 THEN '14' END,
  :amount, :paytime, :source, :serial, :operator,
  CASE CAST(:status AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '2' END, NULL, NULL)

-- name: payments.insert-linked
INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYTYPE, PAYFEE, PAYDATE, CHANNEL, SERIALNO, OPERID, PAYSTAT, ORIGPAYSN, CANCELPAYSN)
VALUES (:paysn, :acctid, :subscrbid, :svcnum,
  CASE CAST(:paymode AS INTEGER) WHEN 1 THEN '10' WHEN 2 THEN '17' WHEN 3 THEN '11' WHEN 15 THEN '14' END,
  :amount, :paytime, :source, :serial, :operator,
  CASE CAST(:status AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '2' END, :orig, NULL)

-- name: payments.mark-reversed
-- PAYSTAT '0' posted → '1' reversed, only from the status bssgate read (the row lock decides a race)
UPDATE TAB_PAY SET PAYSTAT = CASE CAST(:reversed AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '2' END, CANCELPAYSN = :by
WHERE PAYSN = :paysn AND PAYSTAT = CASE CAST(:normal AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '2' END

-- name: payments.account-for-update
-- The account's lock is its cash book (BOOKTYPE 1), the row every posting changes; its THISBAL is
-- what the overflow check guards. No cash book = no balance row (2011). The gift book is read,
-- never written, by bssgate: the balance on the wire is still the sum of the books (account.balance).
SELECT THISBAL AS balance FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :acctid AND BOOKTYPE = 1 {{forUpdate}}

-- name: payments.add-balance
-- a payment or reversal goes into the cash book (fen)
UPDATE TAB_ACCOUNTPREDEPOSIT SET THISBAL = THISBAL + :amount, UPDTIME = :now WHERE ACCTID = :acctid AND BOOKTYPE = 1

-- name: payments.insert-predeposit
-- one deposit record per posting (B's TAB_PREDEPOSITRECORD; the default schema's TAB_ACCOUNTPREDEPOSIT)
INSERT INTO TAB_PREDEPOSITRECORD (RECORDSN, ACCTID, PAYSN, DEPOSITTYPEID, DEPOSITFEE, RECTIME)
VALUES (:depositsn, :acctid, :paysn, :deposittype, :amount, :created)

-- name: payments.predeposit-dtal
SELECT DTALBAL AS balance, INFEE AS total_in, OUTFEE AS total_out FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID = :acctid AND DEPOSITTYPEID = :deposittype

-- name: payments.add-predeposit-dtal
UPDATE TAB_ACCOUNTPREDEPOSITDTAL SET DTALBAL = DTALBAL + :amount, INFEE = INFEE + :tin, OUTFEE = OUTFEE + :tout, UPDTIME = :now
WHERE ACCTID = :acctid AND DEPOSITTYPEID = :deposittype

-- name: payments.insert-predeposit-dtal
INSERT INTO TAB_ACCOUNTPREDEPOSITDTAL (ACCTID, DEPOSITTYPEID, DTALBAL, INFEE, OUTFEE, UPDTIME)
VALUES (:acctid, :deposittype, :amount, :tin, :tout, :now)

-- name: busirec.set-subscriber-status
-- bssgate's status 1…5 → SVCSTAT, only from the status bssgate read (0 rows: changed in between)
UPDATE TAB_SUBSCRB SET SVCSTAT = CASE CAST(:to AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '4' WHEN 4 THEN '7' WHEN 5 THEN '9' END,
  STATDATE = :now, OPERID = :operator
WHERE SUBSCRBID = :subscrbid AND SVCSTAT = CASE CAST(:from AS INTEGER) WHEN 1 THEN '0' WHEN 2 THEN '1' WHEN 3 THEN '4' WHEN 4 THEN '7' WHEN 5 THEN '9' END

-- name: banner.demo-subscriber
SELECT SUBSCRBPWD AS svcpwd FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum AND SVCSTAT <> '9'

-- name: acceptance.profile-contact
SELECT CUSTADDR AS address, LINKPHONE AS contactnum, POSTCODE AS postcode, EMAIL AS email FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid {{forUpdate}}

-- name: acceptance.profile-update
UPDATE TAB_SUBSCRB SET CUSTADDR = NULLIF(:address, ''), LINKPHONE = NULLIF(:contactnum, ''),
  POSTCODE = NULLIF(:postcode, ''), EMAIL = NULLIF(:email, ''), OPERID = :operator
WHERE SUBSCRBID = :subscrbid

-- name: acceptance.password-update
UPDATE TAB_SUBSCRB SET SUBSCRBPWD = :svcpwd, OPERID = :operator WHERE SUBSCRBID = :subscrbid

-- name: acceptance.srvg-one
SELECT CASE SUBSVCID WHEN '000000501' THEN 'CFU' WHEN '000000502' THEN 'CFB' WHEN '000000503' THEN 'CFNRY' WHEN '000000504' THEN 'CW' WHEN '000000505' THEN 'CLIP' WHEN '000000601' THEN 'ROAMN' WHEN '000000602' THEN 'ROAMI' WHEN '000000603' THEN 'IDD' WHEN '000000701' THEN 'SMS' WHEN '000000801' THEN 'DATA' END AS srvgid,
  SRVGPARA AS param, CASE SRVGSTAT WHEN '0' THEN 1 ELSE 0 END AS status
FROM TAB_SRVG
WHERE SUBSCRBID = :subscrbid
  AND SUBSVCID = CASE CAST(:srvgid AS VARCHAR(8)) WHEN 'CFU' THEN '000000501' WHEN 'CFB' THEN '000000502' WHEN 'CFNRY' THEN '000000503' WHEN 'CW' THEN '000000504' WHEN 'CLIP' THEN '000000505' WHEN 'ROAMN' THEN '000000601' WHEN 'ROAMI' THEN '000000602' WHEN 'IDD' THEN '000000603' WHEN 'SMS' THEN '000000701' WHEN 'DATA' THEN '000000801' END
{{forUpdate}}

-- name: acceptance.srvg-insert
INSERT INTO TAB_SRVG (SUBSCRBID, SUBSVCID, SRVGPARA, SRVGSTAT, ORDERDATE, REMOVEDATE)
VALUES (:subscrbid,
  CASE CAST(:srvgid AS VARCHAR(8)) WHEN 'CFU' THEN '000000501' WHEN 'CFB' THEN '000000502' WHEN 'CFNRY' THEN '000000503' WHEN 'CW' THEN '000000504' WHEN 'CLIP' THEN '000000505' WHEN 'ROAMN' THEN '000000601' WHEN 'ROAMI' THEN '000000602' WHEN 'IDD' THEN '000000603' WHEN 'SMS' THEN '000000701' WHEN 'DATA' THEN '000000801' END,
  NULLIF(:param, ''), '0', :now, NULL)

-- name: acceptance.srvg-on
UPDATE TAB_SRVG SET SRVGSTAT = '0', SRVGPARA = NULLIF(:param, ''), ORDERDATE = :now, REMOVEDATE = NULL
WHERE SUBSCRBID = :subscrbid AND SRVGSTAT = '1'
  AND SUBSVCID = CASE CAST(:srvgid AS VARCHAR(8)) WHEN 'CFU' THEN '000000501' WHEN 'CFB' THEN '000000502' WHEN 'CFNRY' THEN '000000503' WHEN 'CW' THEN '000000504' WHEN 'CLIP' THEN '000000505' WHEN 'ROAMN' THEN '000000601' WHEN 'ROAMI' THEN '000000602' WHEN 'IDD' THEN '000000603' WHEN 'SMS' THEN '000000701' WHEN 'DATA' THEN '000000801' END

-- name: acceptance.srvg-off
UPDATE TAB_SRVG SET SRVGSTAT = '1', REMOVEDATE = :now
WHERE SUBSCRBID = :subscrbid AND SRVGSTAT = '0'
  AND SUBSVCID = CASE CAST(:srvgid AS VARCHAR(8)) WHEN 'CFU' THEN '000000501' WHEN 'CFB' THEN '000000502' WHEN 'CFNRY' THEN '000000503' WHEN 'CW' THEN '000000504' WHEN 'CLIP' THEN '000000505' WHEN 'ROAMN' THEN '000000601' WHEN 'ROAMI' THEN '000000602' WHEN 'IDD' THEN '000000603' WHEN 'SMS' THEN '000000701' WHEN 'DATA' THEN '000000801' END

-- name: acceptance.srvg-param
UPDATE TAB_SRVG SET SRVGPARA = NULLIF(:param, '')
WHERE SUBSCRBID = :subscrbid AND SRVGSTAT = '0'
  AND SUBSVCID = CASE CAST(:srvgid AS VARCHAR(8)) WHEN 'CFU' THEN '000000501' WHEN 'CFB' THEN '000000502' WHEN 'CFNRY' THEN '000000503' WHEN 'CW' THEN '000000504' WHEN 'CLIP' THEN '000000505' WHEN 'ROAMN' THEN '000000601' WHEN 'ROAMI' THEN '000000602' WHEN 'IDD' THEN '000000603' WHEN 'SMS' THEN '000000701' WHEN 'DATA' THEN '000000801' END
