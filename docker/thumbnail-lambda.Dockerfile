# Thumbnail Lambda as a container image (the zip from `npm run build:lambda` is the other option).
# Build from the repository root after `npm run build:lambda`:
#   docker build -f docker/thumbnail-lambda.Dockerfile -t revela-thumbnail-lambda .
# The bundle is ESM (index.mjs); sharp and its linux-x64 native packages sit in node_modules.
FROM public.ecr.aws/lambda/nodejs:24

COPY dist/lambda/thumbnail-lambda/ ${LAMBDA_TASK_ROOT}/

# Configuration comes from the function's environment (see docs/thumbnail-lambda.md):
# BUCKET_UPLOADS, BUCKET_PROCESSED, PUBLIC_API_URL, CALLBACK_SIGNING_KEY, optional S3_ENDPOINT,
# S3_FORCE_PATH_STYLE, MAX_PIXELS, CALLBACK_TIMEOUT_MS.
CMD ["index.handler"]
