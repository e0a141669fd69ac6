// A minimal Marionette client (Firefox's own remote protocol, the one geckodriver speaks):
// enough to start a session and install a temporary add-on, with no npm dependency.
// Messages are `LENGTH:JSON`; a command is [0, id, name, params], its reply [1, id, error, result].
import net from 'node:net';

export class Marionette {
  static async connect(port, { timeoutMs = 60_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
        const client = new Marionette(socket);
        await client.#next(); // the greeting: {"applicationType":"gecko","marionetteProtocol":3}
        return client;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Marionette did not answer on port ${port}: ${error.message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  #socket;
  #buffer = Buffer.alloc(0);
  #waiting = [];
  #id = 0;

  constructor(socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const colon = this.#buffer.indexOf(':');
        if (colon < 0) return;
        const length = Number(this.#buffer.subarray(0, colon).toString());
        if (this.#buffer.length < colon + 1 + length) return;
        const message = JSON.parse(this.#buffer.subarray(colon + 1, colon + 1 + length).toString());
        this.#buffer = this.#buffer.subarray(colon + 1 + length);
        this.#waiting.shift()?.(message);
      }
    });
  }

  #next() {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Send a command; its result, or throws with Marionette's error. */
  async command(name, params = {}) {
    const reply = this.#next();
    const text = JSON.stringify([0, ++this.#id, name, params]);
    this.#socket.write(`${Buffer.byteLength(text)}:${text}`);
    const [, , error, result] = await reply;
    if (error) throw new Error(`${name}: ${error.error}: ${error.message}`);
    return result;
  }

  close() {
    this.#socket.destroy();
  }
}
