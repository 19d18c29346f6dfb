import type { S3Api, S3Object } from './s3-api.js';

/** Every object under `prefix` (a full key prefix), following continuation tokens page by page. */
export async function listAllObjects(
  api: S3Api,
  bucket: string,
  prefix: string,
  pageSize?: number,
): Promise<S3Object[]> {
  const out: S3Object[] = [];
  let continuation: string | undefined;
  do {
    const page = await api.listObjects({
      bucket,
      prefix,
      ...(continuation === undefined ? {} : { continuation }),
      ...(pageSize === undefined ? {} : { maxKeys: pageSize }),
    });
    out.push(...page.objects);
    continuation = page.next;
  } while (continuation !== undefined);
  return out;
}
