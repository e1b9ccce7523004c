-- Schema v3: why a ticket was not accepted, and the emergency transfer (service and time).
ALTER TABLE ticket ADD COLUMN disposition_reason VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN emergency_service VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN emergency_at VARCHAR;
