export default { build: { target: 'esnext' }, logLevel: 'warn' }
