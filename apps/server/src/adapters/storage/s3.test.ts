import { describe, expect, it } from 'vitest';
import { parseS3Url, signV4 } from './s3.js';

describe('S3 client', () => {
  it("signs AWS's published SigV4 example (GET Object with a Range) to the same signature", () => {
    const headers = signV4({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { range: 'bytes=0-9' },
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      region: 'us-east-1',
      now: new Date('2013-05-24T00:00:00Z'),
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('reads RECORDINGS_URL: bucket, prefix, endpoint, region', () => {
    expect(
      parseS3Url('s3://rec/calls/eu?endpoint=http://127.0.0.1:4569/&region=eu-west-1'),
    ).toEqual({
      bucket: 'rec',
      prefix: 'calls/eu',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4569',
    });
    expect(parseS3Url('s3://rec').region).toBe('us-east-1');
    expect(() => parseS3Url('s3://Bad_Bucket/x')).toThrow(/bucket/);
    expect(() => parseS3Url('s3://rec/x?endpoint=ftp://h')).toThrow(/endpoint/);
  });
});
