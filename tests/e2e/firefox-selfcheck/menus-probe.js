// Test-only (see selfcheck.js): listed before background.js, it records the id of every
// context menu the extension creates, so the self-check can ask Firefox whether each exists.
export const createdMenus = [];

for (const api of new Set([globalThis.chrome?.contextMenus, globalThis.browser?.menus, globalThis.browser?.contextMenus])) {
  if (!api?.create) continue;
  const create = api.create.bind(api);
  api.create = (properties, callback) => {
    createdMenus.push(properties?.id);
    return create(properties, callback);
  };
}
