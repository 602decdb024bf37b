# Sourced by the scripts: the local Dagster instance, the data root, and the suppression key.
# HYGIENE_SUPPRESSION_KEY is a secret: in production set it from your secret store. For the demo,
# when it is unset, a random key is made once in dagster_home/suppression.key (owner-only,
# git-ignored) so every month of the sample is hashed with the same key.
export DAGSTER_HOME="$PWD/dagster_home"
export HYGIENE_DATA_DIR="${HYGIENE_DATA_DIR:-$PWD/data}"
if [ -z "${HYGIENE_SUPPRESSION_KEY:-}" ]; then
  keyfile="$DAGSTER_HOME/suppression.key"
  if [ ! -s "$keyfile" ]; then
    (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_hex(32))" >"$keyfile")
    echo "== made a demo suppression key in $keyfile (use your own secret in production)"
  fi
  HYGIENE_SUPPRESSION_KEY="$(cat "$keyfile")"
  export HYGIENE_SUPPRESSION_KEY
fi
