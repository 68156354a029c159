/** Where the App API key comes from (src/key.ts): the config's, else CUSTOMERIO_APP_API_KEY; said without the key. */
import { chooseKey, KEY_VARIABLE } from '../../src/key.js';

const FILE_KEY = 'file-key-0123456789';
const ENV_KEY = 'env-key-9876543210';

describe('chooseKey', () => {
  it('uses the config\'s key and says nothing when the variable is not set', () => {
    const choice = chooseKey({ app_api_key: FILE_KEY, region: 'us' }, {});
    expect(choice.config).toEqual({ app_api_key: FILE_KEY, region: 'us' });
    expect(choice.note).toBeUndefined();
    expect(choice.secrets).toContain(FILE_KEY);
  });

  it('puts the variable\'s key (trimmed) into a config that has none, and says so', () => {
    const choice = chooseKey({ region: 'eu' }, { [KEY_VARIABLE]: ` ${ENV_KEY}\n` });
    expect(choice.config).toEqual({ region: 'eu', app_api_key: ENV_KEY });
    expect(choice.note).toBe(`The App API key comes from ${KEY_VARIABLE} (the config file has none).`);
  });

  it.each([[''], ['   '], [null]])('takes the variable when the config\'s key is %j', (key) => {
    expect(chooseKey({ app_api_key: key }, { [KEY_VARIABLE]: ENV_KEY }).config).toEqual({ app_api_key: ENV_KEY });
  });

  it('lets the config\'s key win over the variable, and says the variable is not used', () => {
    const choice = chooseKey({ app_api_key: FILE_KEY }, { [KEY_VARIABLE]: ENV_KEY });
    expect(choice.config).toEqual({ app_api_key: FILE_KEY });
    expect(choice.note).toBe(`The App API key comes from the config file; ${KEY_VARIABLE} is set too and is not used: a key in the config wins.`);
    // Both are secrets, used or not.
    expect(choice.secrets).toEqual(expect.arrayContaining([FILE_KEY, ENV_KEY]));
  });

  it('takes the variable over secrets.example\'s placeholder (words, not a key)', () => {
    const choice = chooseKey({ app_api_key: 'paste your App API key here' }, { [KEY_VARIABLE]: ENV_KEY });
    expect(choice.config).toEqual({ app_api_key: ENV_KEY });
    expect(choice.note).toMatch(/placeholder, not a key/);
  });

  it('never puts either key in its note', () => {
    for (const config of [{ app_api_key: FILE_KEY }, {}]) {
      const note = chooseKey(config, { [KEY_VARIABLE]: ENV_KEY }).note ?? '';
      expect(note).not.toContain(FILE_KEY);
      expect(note).not.toContain(ENV_KEY);
    }
  });

  it('leaves a config that is not an object for the config check to refuse', () => {
    expect(chooseKey([1], { [KEY_VARIABLE]: ENV_KEY }).config).toEqual([1]);
  });
});
