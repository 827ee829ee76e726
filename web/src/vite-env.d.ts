// Vite's import suffixes used here (the subset of vite/client this app needs).
declare module '*?worker&url' {
  const url: string;
  export default url;
}
