#!/usr/bin/env bash
# Creates an environment's secrets, once, before its first `cdk deploy`, as SSM SecureStrings under
# /revela/<env>/config/ (encrypted with the account's aws/ssm key). CloudFormation cannot create
# SecureString parameters, and a secret in a template would be readable by anyone who can read the
# stack; so they are created here, and only their names appear in the stack.
#
#   infra/scripts/create-secrets.sh <environment> <region> <ebs|rds>
#
# ADMIN_TOKEN           platform admin token (POST /v1/tenants); printed once, keep it safe
# CALLBACK_SIGNING_KEY  HMAC key shared by the API and the thumbnail Lambda
# DATABASE_PASSWORD     password of the `revela` PostgreSQL role (EBS: set at first boot; RDS: master password)
# DATABASE_URL          what the API connects to (127.0.0.1 for EBS, db.revela-<env>.internal for RDS)
#
# An existing parameter is left as it is (rerunning is safe); delete one to regenerate it.
set -euo pipefail

ENVIRONMENT=${1:?usage: create-secrets.sh <environment> <region> <ebs|rds>}
REGION=${2:?usage: create-secrets.sh <environment> <region> <ebs|rds>}
DATABASE=${3:-ebs}
PREFIX="/revela/${ENVIRONMENT}/config"

case "$DATABASE" in
  ebs) DB_HOST=127.0.0.1 DB_OPTIONS='' ;;
  # RDS requires TLS: verify the server against the RDS CA bundle baked into the image (the host is a
  # private CNAME to the RDS endpoint, so the chain is checked and the name is not).
  rds) DB_HOST="db.revela-${ENVIRONMENT}.internal" DB_OPTIONS='?uselibpqcompat=true&sslmode=verify-ca&sslrootcert=/etc/pki/revela/rds-global-bundle.pem' ;;
  *) echo "database must be ebs or rds" >&2; exit 1 ;;
esac

exists() { aws ssm get-parameter --region "$REGION" --name "$PREFIX/$1" >/dev/null 2>&1; }
put() {
  # The value travels on stdin-like file input, never on a command line other users could see.
  local name=$1 file
  file=$(mktemp) && chmod 600 "$file"
  printf '%s' "$2" > "$file"
  aws ssm put-parameter --region "$REGION" --name "$PREFIX/$name" --type SecureString \
    --value "file://$file" --tags "Key=revela:environment,Value=$ENVIRONMENT" >/dev/null
  rm -f "$file"
  echo "created $PREFIX/$name"
}
random() { openssl rand -hex 32; }

exists ADMIN_TOKEN || { token=$(random); put ADMIN_TOKEN "$token"; echo "ADMIN_TOKEN (shown once): $token"; }
exists CALLBACK_SIGNING_KEY || put CALLBACK_SIGNING_KEY "$(random)"
if exists DATABASE_PASSWORD; then
  password=$(aws ssm get-parameter --region "$REGION" --name "$PREFIX/DATABASE_PASSWORD" --with-decryption --query Parameter.Value --output text)
else
  password=$(random)
  put DATABASE_PASSWORD "$password"
fi
exists DATABASE_URL || put DATABASE_URL "postgres://revela:${password}@${DB_HOST}:5432/revela${DB_OPTIONS}"
unset password token
