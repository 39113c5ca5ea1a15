import { expect } from 'chai';
import { cliFixture, run } from './helpers';

describe('cli: soniox keys', function () {
  const t = cliFixture();

  it('create prints a temporary key (the expiry on stderr on a terminal), or JSON', async () => {
    const env = t.env;
    const plain = await run(
      [
        'keys',
        'create',
        '--expires',
        '60',
        '--single-use',
        '--max-session',
        '600',
        '--reference',
        'r1',
      ],
      { env },
    );
    expect(plain).to.include({ code: 0, err: '' });
    expect(plain.out).to.match(/^temp:[A-Z2-7]{26}\n$/);
    const tty = await run(['keys', 'create'], { env, isTTY: true });
    expect(tty.err).to.match(/^expires at \d{4}-\d\d-\d\dT/);
    const json = JSON.parse((await run(['keys', 'create', '--json'], { env })).out) as {
      api_key: string;
      expires_at: string;
    };
    expect(json.api_key).to.match(/^temp:/);
    expect(Date.parse(json.expires_at)).to.be.above(Date.now());
  });

  it('--expires out of range is a usage error (exit 2); an API validation error exits 1 with its details', async () => {
    const env = t.env;
    const bad = await run(['keys', 'create', '--expires', '3601'], { env });
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(
      /--expires <seconds>' argument '3601' is invalid. must be an integer from 1 to 3600/,
    );
    t.server.setFaults({
      http: [
        {
          route: 'POST /v1/auth/temporary-api-key',
          status: 400,
          json: {
            status_code: 400,
            error_type: 'invalid_request',
            message: 'Invalid request.',
            validation_errors: [
              {
                error_type: 'less_than_equal',
                location: 'body.payload.expires_in_seconds',
                message: 'Input should be less than or equal to 3600',
              },
            ],
            request_id: 'req-9',
          },
        },
      ],
    });
    const api = await run(['keys', 'create'], { env });
    expect(api.code).to.equal(1);
    expect(api.err).to.equal(
      'error: POST /v1/auth/temporary-api-key failed with 400 invalid_request: Invalid request. (body.payload.expires_in_seconds: Input should be less than or equal to 3600) (request id req-9)\n',
    );
  });
});
